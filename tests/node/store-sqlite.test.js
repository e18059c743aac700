// What the SQLite store does for speed, checked through the store interface and the file:
// - transactions started together: each stays all or nothing on its own, and none resolves
//   before its writes are committed (another connection sees them);
// - the purge of expired sessions at every login reads an index;
// - WAL checkpoints run in the checkpointer thread, not in a commit (wal_autocheckpoint is 0), and
//   the WAL is still copied back into the database file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync, copyFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../../web/server/store/index.js';
import { CHECKPOINT_INTERVAL_MS } from '../../web/server/store/sqlite/checkpointer.js';
import { SEED_AT, seedOrder } from '../support/seed-order.js';

let store;
let dir;
let file;
const at = SEED_AT;
const order = (id) => seedOrder(id);

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'orderflow-sqlite-'));
  file = join(dir, 'orderflow.sqlite');
  store = await openStore({ dataDir: dir });
  await store.loadSeed({
    stores: [{ id: 's1', name: 'One' }],
    users: [{ username: 'ann', display_name: 'Ann', password_hash: 'x', roles: { cms: 'admin' }, stores: ['s1'] }],
    inventory: [{ store_id: 's1', sku: 'A', on_hand: 100, reserved: 0 }],
    orders: Array.from({ length: 12 }, (_, i) => order(i + 1)),
  });
});
after(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const change = (id, status) =>
  store.transaction(async (tx) => {
    assert.equal(await tx.orders.setStatus({ id, expectedVersion: 0, status, at, by: 'ann', trackingNumber: null }), true);
    await tx.history.append({
      orderId: id,
      lockVersion: 1,
      from: 'new',
      to: status,
      actor: 'ann',
      at,
      notes: null,
      fields: {},
      source: 'api',
    });
    await tx.inventory.adjust('s1', 'A', 0, 1);
    if (status === 'boom') throw new Error('boom');
    return id;
  });

test('transactions started together: each all or nothing, committed before it resolves', async () => {
  const other = new Database(file, { readonly: true });
  try {
    const seen = [];
    // Started in one turn of the event loop (they queue on the store's mutex). Order 3's body throws.
    const runs = [1, 2, 3, 4].map((id) =>
      change(id, id === 3 ? 'boom' : 'processing').then((v) => {
        seen.push(other.prepare('SELECT status FROM orders WHERE id = ?').get(v).status); // another connection
        return v;
      }),
    );
    const results = await Promise.allSettled(runs);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'fulfilled', 'rejected', 'fulfilled'],
    );
    assert.equal(results[2].reason.message, 'boom');
    assert.deepEqual(seen, ['processing', 'processing', 'processing'], 'committed when each promise resolved');
    const rows = other.prepare('SELECT id, status, lock_version FROM orders WHERE id <= 4 ORDER BY id').all();
    assert.deepEqual(
      rows.map((r) => [r.id, r.status, r.lock_version]),
      [
        [1, 'processing', 1],
        [2, 'processing', 1],
        [3, 'new', 0],
        [4, 'processing', 1],
      ],
    );
    assert.equal(other.prepare('SELECT COUNT(*) AS n FROM history WHERE order_id <= 4 AND lock_version = 1').get().n, 3);
    assert.equal(
      other.prepare("SELECT reserved FROM inventory WHERE sku = 'A'").get().reserved,
      3,
      "the failed body's stock move rolled back alone",
    );
  } finally {
    other.close();
  }
});

test('a read made while a transaction is open sees the last committed state at once, never the uncommitted one', async () => {
  const t = change(5, 'processing');
  const during = store.orders.get(5); // outside the transaction: runs on the read-only connection
  assert.equal((await during).status, 'new');
  assert.equal(await t, 5);
  assert.equal((await store.orders.get(5)).status, 'processing', 'once the change resolved, a read sees it');
});

test('transactions started in one turn of the event loop share one COMMIT', async () => {
  const before = { ...store.commits.stats };
  const ids = [9, 10, 11];
  assert.deepEqual(await Promise.all(ids.map((id) => change(id, 'processing'))), ids);
  assert.deepEqual(
    { groups: store.commits.stats.groups - before.groups, members: store.commits.stats.members - before.members },
    { groups: 1, members: 3 },
  );
  // A write outside a transaction joins the group too, and is committed when it resolves.
  const other = new Database(file, { readonly: true });
  try {
    await Promise.all([change(12, 'processing'), store.meta.set('probe', 'x')]);
    assert.equal(other.prepare("SELECT value FROM meta WHERE key = 'probe'").get().value, 'x');
  } finally {
    other.close();
  }
});

test('WAL checkpoints happen off the commit path and still reach the database file', async () => {
  assert.equal(store.db.pragma('wal_autocheckpoint', { simple: true }), 0, 'commits never checkpoint');
  store.db.pragma('wal_checkpoint(PASSIVE)');
  const before = digest(file); // in WAL mode only a checkpoint writes the database file itself
  for (let id = 6; id <= 8; id++) await change(id, 'processing');
  assert.equal(digest(file), before, 'the commits went to the WAL only');
  await new Promise((r) => setTimeout(r, CHECKPOINT_INTERVAL_MS * 4));
  assert.notEqual(digest(file), before, 'the checkpointer thread copied them into the database file');
  const copy = join(dir, 'copy.sqlite'); // the database file alone, without its WAL
  copyFileSync(file, copy);
  const alone = new Database(copy, { readonly: true });
  try {
    assert.deepEqual(
      alone
        .prepare('SELECT status FROM orders WHERE id IN (6, 7, 8)')
        .all()
        .map((r) => r.status),
      ['processing', 'processing', 'processing'],
    );
  } finally {
    alone.close();
  }
});

function digest(path) {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

test("the login's purge of expired sessions reads an index, not the whole table", () => {
  const db = new Database(file, { readonly: true });
  try {
    const plan = db.prepare('EXPLAIN QUERY PLAN DELETE FROM sessions WHERE expires_at < ?').all(Date.now());
    assert.ok(
      plan.some((row) => /USING (COVERING )?INDEX sessions_by_expiry/.test(row.detail)),
      plan.map((row) => row.detail).join('; '),
    );
  } finally {
    db.close();
  }
});
