// The PostgreSQL implementation of the store interface (store/README.md), picked by openStore when
// DATABASE_URL=postgres://... is set. Several server instances may share one database: what must
// hold across them is held by PostgreSQL (row locks, unique keys, SKIP LOCKED claims), never by
// an in-process map. See README.md in this folder's parent for what differs from SQLite.
//
// Calls on the store itself run on any pooled connection, each statement on its own; a
// transaction's `tx` runs every call on the one connection holding BEGIN ... COMMIT. Unlike the
// SQLite store no mutex is needed: each transaction has a connection of its own.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { openPool, executor, isBusyError, isFullError, TxConnection } from './pool.js';
import { migrate } from './schema.js';
import { ordersRepo, historyRepo, inventoryRepo, storesRepo, notificationsRepo, metaRepo, loadSeed } from './orders.js';
import { usersRepo, sessionsRepo } from './users.js';
import { idempotencyRepo } from './idempotency.js';
import { auditRepo } from './audit.js';
import { jobsRepo } from './jobs.js';
import { DeliveryStore } from './deliveries.js';

const SEED_LOCK = 1406202615; // advisory lock: one instance seeds an empty database
const RETRIES = 3; // runs of a transaction body (see transaction())
// deadlock_detected, serialization_failure, unique_violation
const RETRY_CODES = new Set(['40P01', '40001', '23505']);

export class PostgresStore {
  constructor(pool, { instance }) {
    this.kind = 'postgres';
    this.pool = pool;
    this.instance = instance;
    this.savepoints = 0;
    const x = executor(pool);
    Object.assign(this, this.areas(x, false));
    this.deliveries = new DeliveryStore(pool, x);
  }

  // locked: inside a transaction, the inventory rows it has locked (orders.js).
  areas(x, locking, locked = null) {
    return {
      stores: storesRepo(x),
      users: usersRepo(x),
      sessions: sessionsRepo(x),
      orders: ordersRepo(x, { locking, locked }),
      history: historyRepo(x),
      inventory: inventoryRepo(x, { locking, locked }),
      notifications: notificationsRepo(x),
      idempotency: idempotencyRepo(x, { owner: this.instance }),
      audit: auditRepo(x),
      jobs: jobsRepo(x),
      meta: metaRepo(x),
    };
  }

  // All or nothing: BEGIN, the body with `tx` (the same areas on this transaction's connection,
  // reading orders and inventory FOR UPDATE), COMMIT; any exception rolls back and is rethrown.
  // Run again from the start (up to RETRIES runs) when the body lost a race to another instance:
  // a deadlock, or a unique key another transaction committed meanwhile (two instances taking one
  // Idempotency-Key at once: the second run reads the first's row and replays its answer, and
  // whatever the lost run wrote was rolled back). Bodies must therefore keep no state across runs
  // other than through `tx` (the services publish events after the transaction, never inside).
  async transaction(fn) {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      const conn = new TxConnection(client);
      let broken = false;
      try {
        conn.defer('BEGIN'); // sent with the first statement's round trip where possible
        const result = await fn(this.txFor(conn));
        await conn.simple('COMMIT');
        return result;
      } catch (e) {
        conn.pending = []; // a BEGIN never sent: ROLLBACK then only warns
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true;
        }
        if (attempt < RETRIES && RETRY_CODES.has(e?.code)) continue;
        throw e;
      } finally {
        client.release(broken);
      }
    }
  }

  // conn: the transaction's TxConnection.
  txFor(conn) {
    const x = executor(conn);
    // Inventory rows this transaction has locked and read (orders.js): an order's are read with it.
    const locked = { rows: new Map() };
    const tx = { kind: 'postgres', inTransaction: true, x, ...this.areas(x, true, locked) };
    tx.deliveries = new DeliveryStore(this.pool, x);
    // tx.transaction(fn): a nested part that can fail alone (SAVEPOINT), as in the SQLite store.
    tx.transaction = async (fn) => {
      const name = `sp${++this.savepoints}`;
      const [savepoint, release] = [`SAVEPOINT ${name}`, `RELEASE SAVEPOINT ${name}`];
      conn.defer(savepoint);
      try {
        const result = await fn(tx);
        if (!conn.cancel(savepoint)) conn.defer(release); // sent with the next statement (COMMIT)
        return result;
      } catch (e) {
        locked.rows.clear(); // rolled back: read them again
        if (!conn.cancel(savepoint)) await conn.simple(`ROLLBACK TO SAVEPOINT ${name}; ${release}`);
        throw e;
      }
    };
    return tx;
  }

  // 'busy' (locks, connections, timeouts: retry later), 'full' (no space), 'conflict' (a unique
  // key refused a concurrent write), or null.
  classify(err) {
    if (isBusyError(err)) return 'busy';
    if (isFullError(err)) return 'full';
    if (err?.code === '23505') return 'conflict';
    return null;
  }

  // No cheap way to tell here: the session cache relies on its time limit and the logout events.
  async generation() {
    return null;
  }

  async isSeeded() {
    return (await this.meta.get('seeded_at')) !== null;
  }

  // Writes the demo data in one transaction and marks the database seeded. Instances starting
  // together on an empty database: the first seeds, the others wait on the advisory lock, then
  // find it seeded and write nothing.
  loadSeed(data) {
    return this.transaction(async (tx) => {
      await tx.x.run('SELECT pg_advisory_xact_lock($1)', [SEED_LOCK]);
      if ((await tx.meta.get('seeded_at')) !== null) return;
      await loadSeed(tx.x, data);
      await tx.meta.set('seeded_at', new Date().toISOString());
    });
  }

  async close() {
    await this.pool.end();
  }
}

// config: {databaseUrl, busyTimeoutMs? (how long a row lock is waited for before the call fails
// as busy: PostgreSQL's lock_timeout, the same setting as SQLite's busy timeout), poolSize?, log?}.
// -> Promise<PostgresStore>, schema migrated.
export async function openPostgresStore(config) {
  const log = config.log ?? console;
  // Names this instance's connections (application_name, at most 63 bytes): the in-progress
  // idempotency keys it owns are forgotten by the others only once none of them is connected.
  const instance = `orderflow:${hostname().slice(0, 30)}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const pool = openPool(config.databaseUrl, {
    max: config.poolSize ?? 10,
    applicationName: instance,
    lockTimeoutMs: config.busyTimeoutMs ?? 1000,
    log,
  });
  try {
    const client = await pool.connect();
    try {
      await migrate(client);
    } finally {
      client.release();
    }
    const store = new PostgresStore(pool, { instance });
    await store.idempotency.dropOrphans();
    await store.sessions.purgeExpired(Date.now());
    return store;
  } catch (e) {
    await pool.end().catch(() => {});
    throw e;
  }
}
