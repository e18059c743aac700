// Group commit for the SQLite store: the write transactions asked for during one turn of the event
// loop run together at its end (setImmediate), between one BEGIN IMMEDIATE and one COMMIT. Each
// keeps its own all-or-nothing through a SAVEPOINT, and its promise settles only after the shared
// COMMIT, so nobody is answered before their change is durable (as durable as one transaction of
// its own: WAL, synchronous = NORMAL).
//
// Why: a commit costs about 70 µs on this path (locks, one WAL frame per changed page), and the
// pages a change touches (the history and outbox leaf pages, the indexes) are mostly the same for
// every change. Under load the changes that arrive in one turn (16 clients: often 5-15) pay for
// one commit together and write each page once. A lone change waits for the end of the current
// turn to start, and costs one SAVEPOINT/RELEASE pair more (about 2 µs).
//
// Why at the end of the turn rather than "join the open transaction": the database's write lock
// is held only while the group's bodies run (they await store calls only), never across a turn of
// the event loop, so other processes sharing the file get it between groups as before.
//
// Groups run one after another (an in-process mutex: the connection is shared, and a body that
// awaited real I/O would otherwise let the next group start inside its transaction).
// Failure: a body that throws rolls back its SAVEPOINT only (nothing of it is kept; the others
// go on). If SQLite itself ended the transaction (SQLITE_FULL, an I/O error can roll the whole
// transaction back), or BEGIN or the COMMIT fails, every member that had run is rejected with
// that error: nothing of the group was kept, which is what each of them is told. Members that
// had not run yet go to the next group.

export class Mutex {
  constructor() {
    this.locked = false;
    this.waiters = [];
  }
  acquire() {
    if (!this.locked) {
      this.locked = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  release() {
    const next = this.waiters.shift();
    if (next) next();
    else this.locked = false;
  }
}

export class GroupCommit {
  // db: the better-sqlite3 connection; tx: what a member's body is given.
  constructor(db, tx) {
    this.db = db;
    this.tx = tx;
    this.mutex = new Mutex();
    this.queue = []; // members waiting for the next group: {fn, resolve, reject}
    this.scheduled = null; // the promise of the scheduled group run, for drain()
    this.q = {
      begin: db.prepare('BEGIN IMMEDIATE'),
      commit: db.prepare('COMMIT'),
      rollback: db.prepare('ROLLBACK'),
      savepoint: db.prepare('SAVEPOINT member'),
      release: db.prepare('RELEASE member'),
      rollbackTo: db.prepare('ROLLBACK TO member'),
    };
    this.stats = { groups: 0, members: 0 }; // committed groups and their members (tests, benchmark notes)
  }

  // Runs fn(tx) in the next group; resolves with its result once the group is committed.
  run(fn) {
    return new Promise((resolve, reject) => {
      this.queue.push({ fn, resolve, reject });
      this.schedule();
    });
  }

  // The next group runs at the end of this turn of the event loop.
  schedule() {
    this.scheduled ??= new Promise((done) =>
      setImmediate(() => {
        this.scheduled = null;
        this.runGroup().finally(done);
      }),
    );
  }

  async runGroup() {
    await this.mutex.acquire();
    const members = this.queue;
    this.queue = [];
    const done = []; // [member, result] of the bodies that ran to the end
    try {
      if (members.length === 0) return;
      try {
        this.q.begin.run(); // the write lock first: a busy database fails here, before anything is read
      } catch (e) {
        for (const m of members) m.reject(e);
        return;
      }
      for (let i = 0; i < members.length; i++) {
        const m = members[i];
        this.q.savepoint.run();
        let result;
        try {
          result = await m.fn(this.tx);
        } catch (e) {
          if (!this.db.inTransaction) return this.lose(done, m, e, members.slice(i + 1));
          this.q.rollbackTo.run();
          this.q.release.run();
          m.reject(e);
          continue;
        }
        if (!this.db.inTransaction) {
          const e = new Error('SQLite ended the transaction (the statement that failed was caught)');
          return this.lose(done, m, e, members.slice(i + 1));
        }
        this.q.release.run();
        done.push([m, result]);
      }
      this.q.commit.run();
      this.stats.groups += 1;
      this.stats.members += done.length;
      for (const [m, result] of done) m.resolve(result);
    } catch (e) {
      // The COMMIT, or one of the group's own statements (SAVEPOINT, RELEASE, ROLLBACK TO), failed:
      // nothing of the group is kept; everyone in it is told, whoever had not run yet too.
      for (const m of members) m.reject(e); // (a member already answered is not answered again)
      try {
        if (this.db.inTransaction) this.q.rollback.run();
      } catch {
        // nothing more to undo: SQLite rolls back an unfinished transaction itself
      }
    } finally {
      this.mutex.release();
    }
  }

  // The whole transaction was rolled back by SQLite: the members that ran are told, the ones that
  // had not run yet go to the next group.
  lose(done, member, error, notRun) {
    for (const [m] of done) m.reject(error);
    member.reject(error);
    if (notRun.length) {
      this.queue.unshift(...notRun);
      this.schedule();
    }
  }

  // Waits until every member asked for so far has been run (before closing; the caller then takes
  // the mutex, which waits for a group still running).
  async drain() {
    while (this.scheduled) await this.scheduled;
  }
}
