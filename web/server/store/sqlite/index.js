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
// In practice the bodies (services/status-change.js, ...) await only store calls, which settle
// at once, so a transaction never lets the event loop run and the queue stays empty; the mutex is
// what keeps that true if a body ever awaits real I/O.
import { openDatabase, isBusyError, isFullError, isConflictError } from './schema.js';
import { ordersRepo, historyRepo, inventoryRepo, storesRepo, notificationsRepo, metaRepo, seedRepo } from './orders.js';
import { usersRepo, sessionsRepo } from './users.js';
import { idempotencyRepo } from './idempotency.js';
import { auditRepo } from './audit.js';
import { jobsRepo } from './jobs.js';
import { DeliveryStore } from './deliveries.js';
import { startCheckpointer } from './checkpointer.js';

const AREAS = [
  'stores',
  'users',
  'sessions',
  'orders',
  'history',
  'inventory',
  'notifications',
  'idempotency',
  'audit',
  'jobs',
  'deliveries',
  'meta',
];

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

class Mutex {
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

export class SqliteStore {
  constructor(db) {
    this.kind = 'sqlite';
    this.db = db;
    this.mutex = new Mutex();
    this.savepoints = 0;
    const raw = {
      stores: storesRepo(db),
      users: usersRepo(db),
      sessions: sessionsRepo(db),
      orders: ordersRepo(db),
      history: historyRepo(db),
      inventory: inventoryRepo(db),
      notifications: notificationsRepo(db),
      idempotency: idempotencyRepo(db),
      audit: auditRepo(db),
      jobs: jobsRepo(db),
      deliveries: new DeliveryStore(db),
      meta: metaRepo(db),
    };
    this.seeder = seedRepo(db);
    this.q = { begin: db.prepare('BEGIN IMMEDIATE'), commit: db.prepare('COMMIT'), rollback: db.prepare('ROLLBACK') };
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
      try {
        return fn();
      } finally {
        this.mutex.release();
      }
    });
  }

  // All or nothing: BEGIN IMMEDIATE (the write lock is taken first, so a busy database fails
  // here, before anything is read), the body, COMMIT; any exception rolls back and is rethrown.
  async transaction(fn) {
    await this.mutex.acquire();
    try {
      this.q.begin.run();
      let result;
      try {
        result = await fn(this.tx);
        this.q.commit.run();
      } catch (e) {
        if (this.db.inTransaction) this.q.rollback.run();
        throw e;
      }
      return result;
    } finally {
      this.mutex.release();
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

  async isSeeded() {
    return (await this.meta.get('seeded_at')) !== null;
  }

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
  store.checkpointer = startCheckpointer(store.db); // WAL checkpoints off the event loop (checkpointer.js)
  return store;
}
