// The SQLite implementation of the store interface (store/README.md): better-sqlite3, WAL,
// several processes may share the file (SQLite's file lock).
//
// better-sqlite3 is synchronous; the interface is asynchronous because PostgreSQL is. Every method
// here does its work synchronously and returns a settled Promise.
//
// Two connections per process:
// - the writer: every transaction, and every write made outside one, runs on it through the group
//   commit (group-commit.js): the transactions asked for in one turn of the event loop run at its
//   end and share one COMMIT, each with its own SAVEPOINT, serialized by an in-process mutex
//   (while a body awaits, another body's statements would otherwise run inside its transaction).
// - a read-only reader: a read made outside a transaction (READS below: the session lookup of
//   every request, GETs, the admin views) while a group is being written runs on it at once: in
//   WAL a reader sees the last committed state and never waits for the writer. While no group
//   runs, such a read runs on the writer (no transaction is open on it then, and its page cache
//   stays warm, where the reader's is dropped after every write). Either way a read sees what was
//   committed, and a write that has resolved is visible to it (the answer comes after the COMMIT).
import { openDatabase, openReader, isBusyError, isFullError, isConflictError } from './schema.js';
import { ordersRepo, historyRepo, inventoryRepo, storesRepo, notificationsRepo, metaRepo, seedRepo } from './orders.js';
import { usersRepo, sessionsRepo } from './users.js';
import { idempotencyRepo } from './idempotency.js';
import { auditRepo } from './audit.js';
import { jobsRepo } from './jobs.js';
import { DeliveryStore } from './deliveries.js';
import { startCheckpointer } from './checkpointer.js';
import { GroupCommit } from './group-commit.js';

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

// The methods of each area that only read: outside a transaction they run at once, on the reader
// while a group is being written, else on the writer. Every other method writes (or may), and
// joins the next group. A writing method listed here by mistake fails with SQLITE_READONLY when it
// meets the reader (the reader is opened read-only).
const READS = {
  stores: ['list'],
  users: ['get', 'list'],
  sessions: ['find'],
  orders: ['get', 'getWithStock', 'getMany', 'list'],
  history: ['of'],
  inventory: ['all', 'of'],
  notifications: ['exists'],
  idempotency: ['get'],
  audit: ['list'],
  jobs: ['get', 'progress', 'todo', 'results', 'claimable', 'activeCount'],
  deliveries: ['content', 'list', 'get', 'notifiedVersions'],
  meta: ['get'],
};

const reposOf = (db) => ({
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
});

export class SqliteStore {
  // reader: a read-only connection to the same file (null: reads run on the writer, after any
  // open group, as writes do).
  constructor(db, reader = null) {
    this.kind = 'sqlite';
    this.db = db;
    this.reader = reader;
    this.savepoints = 0;
    const raw = reposOf(db);
    const readRaw = reader ? reposOf(reader) : null;
    this.seeder = seedRepo(db);
    // `tx`: the same areas, for use inside a transaction body (no queueing: the body holds the lock).
    this.tx = { kind: 'sqlite', inTransaction: true, transaction: (fn) => this.savepoint(fn) };
    this.commits = new GroupCommit(db, this.tx);
    this.dataVersion = db.prepare('PRAGMA data_version').pluck(); // generation(): asked per request
    this.generationNow = undefined; // its answer in this turn of the event loop
    for (const area of Object.keys(raw)) {
      const repo = raw[area];
      const reads = new Set(readRaw ? READS[area] : []);
      const outside = {};
      const inside = {};
      for (const m of methodsOf(repo)) {
        const f = repo[m].bind(repo);
        inside[m] = (...args) => settle(() => f(...args));
        if (reads.has(m)) {
          // On the writer while no group runs (it has no transaction open then, and its page cache
          // is warm: a reader drops its cache whenever the file changed since its last read).
          const r = readRaw[area][m].bind(readRaw[area]);
          outside[m] = (...args) => settle(() => (this.commits.mutex.locked ? r(...args) : f(...args)));
        } else outside[m] = (...args) => this.commits.run(() => f(...args));
      }
      this[area] = outside;
      this.tx[area] = inside;
    }
  }

  // All or nothing: the body's writes commit together (with the other transactions of its group,
  // group-commit.js) or not at all; any exception rolls the body back and is rethrown. The first
  // transaction of a group takes the write lock first (BEGIN IMMEDIATE), so a busy database fails
  // before anything is read.
  transaction(fn) {
    return this.commits.run(fn);
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

  // Changes when another connection (another process, a tool) committed since the last call; our
  // own commits do not change it (PRAGMA data_version of the writer). Read once per turn of the
  // event loop: every request asks, and the pragma (a look at the WAL's shared index) was 4% of a
  // status change's CPU; a commit by someone else is still seen by the next turn.
  generation() {
    if (this.generationNow === undefined) {
      this.generationNow = this.dataVersion.get();
      setImmediate(() => {
        this.generationNow = undefined;
      });
    }
    return Promise.resolve(this.generationNow);
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
    await this.commits.drain();
    await this.commits.mutex.acquire();
    await this.checkpointer?.stop();
    this.reader?.close();
    this.db.close();
    this.commits.mutex.release();
  }
}

export function openSqliteStore({ dataDir, busyTimeoutMs, maxPages }) {
  const db = openDatabase(dataDir, { busyTimeoutMs, maxPages });
  const store = new SqliteStore(db, openReader(db, { busyTimeoutMs }));
  store.checkpointer = startCheckpointer(store.db); // WAL checkpoints off the event loop (checkpointer.js)
  return store;
}
