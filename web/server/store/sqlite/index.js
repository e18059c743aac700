// The SQLite implementation of the store interface (store/README.md): one better-sqlite3
// connection per process, WAL, several processes may share the file (SQLite's file lock).
//
// better-sqlite3 is synchronous; the interface is asynchronous because PostgreSQL is. Every method
// here does its work synchronously and returns a settled Promise.
//
// Why a mutex: `transaction(fn)` runs an async body between BEGIN IMMEDIATE and COMMIT on the ONE
// connection this process has. While that body awaits, another request's statements would run on
// the same connection, i.e. inside our transaction: they would see our uncommitted rows and be
// rolled back with us. So write transactions are serialized by an in-process queue, and a call
// made on the store itself (not on the transaction's `tx`) while a transaction is open waits for
// it to end. With no transaction open, a call runs at once (the fast path: no queueing cost).
// The bodies (services/status-change.js, ...) await only store calls, which settle at once; the
// transaction stays open until its group commits (see transaction(): one event-loop turn), and
// the mutex is what keeps calls made meanwhile, or a body that ever awaits real I/O, out of it.
import { openDatabase, isBusyError, isFullError, isConflictError } from './schema.js';
import { ordersRepo, historyRepo, inventoryRepo, storesRepo, notificationsRepo, metaRepo, seedRepo } from './orders.js';
import { usersRepo, sessionsRepo } from './users.js';
import { idempotencyRepo } from './idempotency.js';
import { auditRepo } from './audit.js';
import { jobsRepo } from './jobs.js';
import { DeliveryStore } from './deliveries.js';
import { startCheckpointer } from './checkpointer.js';

const AREAS = ['stores', 'users', 'sessions', 'orders', 'history', 'inventory', 'notifications', 'idempotency', 'audit', 'jobs', 'deliveries', 'meta'];

// The callable methods of a repo (plain object or class instance).
function methodsOf(obj) {
  const names = new Set(Object.keys(obj).filter((k) => typeof obj[k] === 'function'));
  for (let p = Object.getPrototypeOf(obj); p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const k of Object.getOwnPropertyNames(p)) if (k !== 'constructor' && typeof obj[k] === 'function') names.add(k);
  }
  return [...names];
}

function settle(fn) {
  try {
    return Promise.resolve(fn());
  } catch (e) {
    return Promise.reject(e);
  }
}

// Transactions that may share one commit (transaction() below): bounds the group's latency.
const GROUP_MAX = 64;

class Mutex {
  constructor() { this.locked = false; this.waiters = []; }
  acquire() {
    if (!this.locked) { this.locked = true; return Promise.resolve(); }
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  release() {
    const next = this.waiters.shift();
    if (next) next(); else this.locked = false;
  }
}

export class SqliteStore {
  constructor(db) {
    this.kind = 'sqlite';
    this.db = db;
    this.mutex = new Mutex();
    this.savepoints = 0;
    this.group = null;  // the open group commit, see transaction()
    const raw = {
      stores: storesRepo(db), users: usersRepo(db), sessions: sessionsRepo(db), orders: ordersRepo(db),
      history: historyRepo(db), inventory: inventoryRepo(db), notifications: notificationsRepo(db),
      idempotency: idempotencyRepo(db), audit: auditRepo(db), jobs: jobsRepo(db), deliveries: new DeliveryStore(db), meta: metaRepo(db),
    };
    this.seeder = seedRepo(db);
    this.q = {
      begin: db.prepare('BEGIN IMMEDIATE'), commit: db.prepare('COMMIT'), rollback: db.prepare('ROLLBACK'),
      memberBegin: db.prepare('SAVEPOINT member'), memberEnd: db.prepare('RELEASE member'), memberUndo: db.prepare('ROLLBACK TO member'),
    };
    // `tx`: the same areas, for use inside a transaction body (no queueing: the body holds the lock).
    this.tx = { kind: 'sqlite', inTransaction: true, transaction: (fn) => this.savepoint(fn) };
    for (const area of AREAS) {
      const repo = raw[area];
      const outside = {};
      const inside = {};
      for (const m of methodsOf(repo)) {
        const f = repo[m].bind(repo);
        inside[m] = (...args) => settle(() => f(...args));
        outside[m] = (...args) => this.run(() => f(...args));
      }
      this[area] = outside;
      this.tx[area] = inside;
    }
  }

  // A call outside any transaction: at once when no transaction is open, else after it.
  run(fn) {
    if (!this.mutex.locked) return settle(fn);
    return this.mutex.acquire().then(() => {
      try { return fn(); } finally { this.mutex.release(); }
    });
  }

  // All or nothing, with group commit. The first transaction takes the write lock (BEGIN
  // IMMEDIATE: a busy database fails here, before anything is read) and opens a group; every
  // transaction that starts before the next turn of the event loop (setImmediate) joins it. Each
  // body runs alone, one after the other, inside its own SAVEPOINT: a body that throws rolls back
  // only its own writes and its caller gets the exception at once. Then ONE COMMIT makes the
  // group's writes durable together, and only then does each caller's promise resolve: no answer
  // is given before its change is committed (same durability as one commit per change).
  // Why: BEGIN IMMEDIATE + COMMIT (the commit writes the changed pages to the WAL) was about a
  // fifth of a PUT's server time; concurrent changes now share it.
  // What it trades: a COMMIT that fails (disk full, I/O error) fails every member of its group
  // (nothing of theirs was changed, each caller answers 507/500 as before); a member sees the
  // writes of the members before it (as it would after their commits); the write lock is held
  // until the group commits (one event-loop turn), which other processes on the file wait for.
  transaction(fn) {
    const g = this.group;
    if (g && g.open && g.size < GROUP_MAX) {
      g.size += 1;
      return this.member(g, fn);
    }
    return this.openGroup(fn);
  }

  async openGroup(fn) {
    await this.mutex.acquire();
    try {
      this.q.begin.run();
    } catch (e) {
      this.mutex.release();
      throw e;
    }
    const g = { open: true, size: 1, tail: Promise.resolve(), done: [], aborted: null, retry: [] };
    this.group = g;
    const result = this.member(g, fn);
    setImmediate(() => { this.commitGroup(g); });
    return result;
  }

  // Runs one body in the group (after the members before it), inside its own SAVEPOINT.
  member(g, fn) {
    return new Promise((resolve, reject) => {
      g.tail = g.tail.then(async () => {
        // SQLite rolled the whole transaction back under an earlier member (e.g. SQLITE_FULL):
        // this body runs in a transaction of its own once the group is over.
        if (g.aborted) { g.retry.push(() => this.transaction(fn).then(resolve, reject)); return; }
        // Members never overlap (each starts after the one before it ended), so they share one
        // savepoint name and its prepared statements (no SQL compiled per change).
        try {
          this.q.memberBegin.run();
        } catch (e) {
          if (!this.db.inTransaction) g.aborted = e;
          reject(e);
          return;
        }
        try {
          const result = await fn(this.tx);
          this.q.memberEnd.run();
          g.done.push({ resolve, reject, result });
        } catch (e) {
          try {
            if (this.db.inTransaction) { this.q.memberUndo.run(); this.q.memberEnd.run(); }
          } catch { /* the transaction is gone: handled below */ }
          if (!this.db.inTransaction) g.aborted = e;
          reject(e);
        }
      });
    });
  }

  // Closes the group: waits for its running bodies, commits once, answers every member.
  async commitGroup(g) {
    g.open = false;
    await g.tail;  // never rejects: each member settles its own promise
    try {
      if (g.aborted) throw g.aborted;
      this.q.commit.run();
      for (const m of g.done) m.resolve(m.result);
    } catch (e) {
      if (this.db.inTransaction) this.q.rollback.run();
      for (const m of g.done) m.reject(e);
    } finally {
      if (this.group === g) this.group = null;
      this.mutex.release();
      for (const again of g.retry) again();
    }
  }

  // tx.transaction(fn): a nested part that can fail alone (SAVEPOINT).
  async savepoint(fn) {
    const name = `sp${++this.savepoints}`;
    this.db.exec(`SAVEPOINT ${name}`);
    try {
      const result = await fn(this.tx);
      this.db.exec(`RELEASE ${name}`);
      return result;
    } catch (e) {
      if (this.db.inTransaction) this.db.exec(`ROLLBACK TO ${name}; RELEASE ${name}`);
      throw e;
    }
  }

  // What kind of storage failure an error is: 'busy' (locked: retry later), 'full' (no space),
  // 'conflict' (a unique key refused a concurrent write), or null (anything else).
  classify(err) {
    if (isBusyError(err)) return 'busy';
    if (isFullError(err)) return 'full';
    if (isConflictError(err)) return 'conflict';
    return null;
  }

  async isSeeded() { return (await this.meta.get('seeded_at')) !== null; }

  // Writes the demo data (seed.js) in one transaction and marks the database seeded.
  loadSeed(data) {
    return this.transaction(async () => {
      this.seeder.load(data);
      await this.tx.meta.set('seeded_at', new Date().toISOString());
    });
  }

  async close() {
    await this.mutex.acquire();
    await this.checkpointer?.stop();
    this.db.close();
    this.mutex.release();
  }
}

export function openSqliteStore({ dataDir, busyTimeoutMs, maxPages }) {
  const store = new SqliteStore(openDatabase(dataDir, { busyTimeoutMs, maxPages }));
  store.checkpointer = startCheckpointer(store.db);  // WAL checkpoints off the event loop (checkpointer.js)
  return store;
}
