// The SQLite group commit (web/server/store/sqlite/group-commit.js) on its own: members of one
// group commit together, a failing member loses only its own writes, and when SQLite ends the
// whole transaction every member of the group is told and the next group starts clean.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { GroupCommit } from '../../web/server/store/sqlite/group-commit.js';

function setup() {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (k TEXT PRIMARY KEY)');
  const insert = db.prepare('INSERT INTO t (k) VALUES (?)');
  const commits = new GroupCommit(db, {});
  const keys = () =>
    db
      .prepare('SELECT k FROM t ORDER BY k')
      .all()
      .map((r) => r.k);
  return { db, insert, commits, keys };
}

test('members started in one turn share one COMMIT; a throwing member loses only its own writes', async () => {
  const { db, insert, commits, keys } = setup();
  const results = await Promise.allSettled([
    commits.run(() => (insert.run('a'), 'A')),
    commits.run(() => {
      insert.run('b');
      throw new Error('no b');
    }),
    commits.run(async () => (insert.run('c'), 'C')),
  ]);
  assert.deepEqual(
    results.map((r) => r.value ?? r.reason.message),
    ['A', 'no b', 'C'],
  );
  assert.deepEqual(commits.stats, { groups: 1, members: 2 });
  assert.equal(db.inTransaction, false);
  assert.deepEqual(keys(), ['a', 'c']);
});

test('a member runs at the end of the turn and resolves only after the COMMIT', async () => {
  const { db, insert, commits } = setup();
  let inside = null;
  const p = commits.run(() => {
    inside = db.inTransaction;
    insert.run('x');
  });
  await Promise.resolve();
  assert.equal(inside, null, 'not run yet: the group starts at the end of this turn');
  await p;
  assert.equal(inside, true);
  assert.equal(db.inTransaction, false, 'committed before the member resolved');
});

test('when SQLite ends the transaction, every member of the group is rejected and the next group starts clean', async () => {
  const { db, insert, commits, keys } = setup();
  const first = commits.run(() => insert.run('a'));
  const second = commits.run(() => {
    insert.run('b');
    db.exec('ROLLBACK'); // what SQLITE_FULL or an I/O error can do to the whole transaction
  });
  const [r1, r2] = await Promise.allSettled([first, second]);
  assert.equal(r1.status, 'rejected', 'the member that had finished is not answered as done');
  assert.equal(r2.status, 'rejected');
  assert.match(r1.reason.message, /SQLite ended the transaction/);
  assert.deepEqual(keys(), [], 'nothing of the group was kept');
  await commits.run(() => insert.run('c'));
  assert.deepEqual(keys(), ['c']);
});

test('a failing COMMIT rejects every member of the group', async () => {
  const { db, insert, commits, keys } = setup();
  db.exec('CREATE TABLE child (k TEXT REFERENCES t(k) DEFERRABLE INITIALLY DEFERRED)');
  db.pragma('foreign_keys = ON');
  const child = db.prepare('INSERT INTO child (k) VALUES (?)');
  const results = await Promise.allSettled([commits.run(() => insert.run('a')), commits.run(() => child.run('missing'))]);
  assert.deepEqual(
    results.map((r) => r.status),
    ['rejected', 'rejected'],
  );
  assert.match(results[0].reason.message, /FOREIGN KEY/);
  assert.equal(db.inTransaction, false);
  assert.deepEqual(keys(), []);
});
