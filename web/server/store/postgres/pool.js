// The PostgreSQL connection pool (node-postgres) and what every part of the PostgreSQL store needs
// from it: all-or-nothing transactions, named statements, and which of PostgreSQL's failures are
// "busy" (503, retry) or "full" (507), as the SQLite store's are (index.js: classify).
import pg from 'pg';

// BIGINT (ids, unix-ms times, COUNT(*), SUM of integers) as JS numbers: every value the schema
// holds is far below 2^53, and the answers must equal SQLite's, which are numbers.
// NUMERIC (SUM of a bigint) likewise. Per pool, not pg.types globally: no other user changes.
const types = new pg.TypeOverrides();
types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

// `max`: connections per instance. Each request's transaction holds one for its duration; more
// than the CPU can use only adds lock waits, and PostgreSQL's max_connections is shared by every
// instance.
export function openPool(
  connectionString,
  { max = 10, applicationName = 'orderflow', statementTimeoutMs = 30000, lockTimeoutMs = 5000, log = console } = {},
) {
  const pool = new pg.Pool({
    connectionString,
    max,
    // One idle connection is kept: it is also what tells other instances this one is alive
    // (idempotency.js reads pg_stat_activity).
    min: 1,
    types,
    application_name: applicationName,
    statement_timeout: statementTimeoutMs,
    // A row lock held longer than this (another instance stuck mid-transaction) answers 503
    // "busy", as SQLite's busy timeout does, instead of queueing requests behind it.
    lock_timeout: lockTimeoutMs,
    idleTimeoutMillis: 30000,
    connectionTimeoutMillis: 10000,
  });
  // An idle connection the server dropped (restart, admin kill) is an 'error' on the pool; the
  // pool replaces it on the next checkout. Without a listener the process would crash.
  pool.on('error', (err) => log.error(`orderflow postgres: idle connection lost (${err.code ?? ''} ${err.message})`));
  return pool;
}

// Runs fn(client) inside BEGIN ... COMMIT on one pooled connection; any throw rolls back and is
// rethrown. Row locks (SELECT ... FOR UPDATE) taken inside hold until the end, so a transaction
// that reads an order FOR UPDATE, checks it and writes it is all-or-nothing across instances.
export async function transaction(pool, fn) {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const out = await fn(client);
    await client.query('COMMIT');
    return out;
  } catch (e) {
    try {
      await client.query('ROLLBACK');
    } catch {
      broken = true;
    }
    throw e;
  } finally {
    client.release(broken); // a connection that could not roll back is discarded, not reused
  }
}

// SQLSTATE classes and codes (https://www.postgresql.org/docs/current/errcodes-appendix.html).
const BUSY = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available (lock_timeout)
  '57014', // query_canceled (statement_timeout)
  '53300', // too_many_connections
  '57P01',
  '57P02',
  '57P03', // admin_shutdown, crash_shutdown, cannot_connect_now
]);
const FULL = new Set(['53100', '53200']); // disk_full, out_of_memory
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EPIPE', 'ENOENT']);

export function isBusyError(err) {
  if (!err) return false;
  if (typeof err.code === 'string' && (BUSY.has(err.code) || NETWORK.has(err.code))) return true;
  // node-postgres' own words for a pool or connection that gave up
  return /timeout exceeded when trying to connect|Connection terminated/i.test(String(err.message ?? ''));
}

export function isFullError(err) {
  return !!err && typeof err.code === 'string' && FULL.has(err.code);
}

// PostgreSQL text cannot hold U+0000 (SQLite's can). A value with one can match no stored row, so
// lookups answer "none" for it without asking; writes of client text strip nothing silently:
// they are refused by validation before reaching the store.
export const hasNul = (s) => typeof s === 'string' && s.includes('\u0000');

// Statements by name: node-postgres prepares a named statement once per connection and then
// sends only its name and values (the parse and plan are not repeated on every request).
let statementCount = 0;
export function statement(text) {
  return { name: `of${++statementCount}`, text };
}

// Small helpers over a pool or a transaction's client, so the repositories read like the SQLite
// ones: all -> rows, get -> first row or null, run -> rows affected. `st`: a statement() or SQL text.
export function executor(db) {
  const query = (st, values) => db.query(typeof st === 'string' ? { text: st, values } : { name: st.name, text: st.text, values });
  return {
    db,
    all: async (st, values = []) => (await query(st, values)).rows,
    get: async (st, values = []) => (await query(st, values)).rows[0] ?? null,
    run: async (st, values = []) => (await query(st, values)).rowCount,
  };
}

// A transaction's connection that sends its bookkeeping statements (BEGIN, SAVEPOINT, RELEASE)
// together with the next one where it can: BEGIN and a SAVEPOINT right after it travel as one
// simple query, and so do RELEASE and COMMIT. Every statement costs a round trip and, mostly,
// node-postgres' own work in this process; a status change is BEGIN, SAVEPOINT, ~10 statements,
// RELEASE, COMMIT, so this saves two of them. Only parameterless statements can be joined (the
// simple-query protocol takes no parameters), which these are.
export class TxConnection {
  constructor(client) {
    this.client = client;
    this.pending = []; // parameterless statements not sent yet, in order
  }

  // Sends `sql` later, with the next statement.
  defer(sql) {
    this.pending.push(sql);
  }

  // Drops a deferred statement that was never sent (a savepoint whose part failed before any
  // statement: there is nothing to roll back to). -> whether it was still waiting.
  cancel(sql) {
    const i = this.pending.lastIndexOf(sql);
    if (i < 0) return false;
    this.pending.splice(i, 1);
    return true;
  }

  // A parameterless statement, joined with what is waiting: one round trip.
  simple(sql) {
    const text = [...this.pending, sql].join('; ');
    this.pending = [];
    return this.client.query(text);
  }

  // Any statement (pg query config or text): what is waiting goes first.
  async query(config) {
    if (this.pending.length) {
      const text = this.pending.join('; ');
      this.pending = [];
      await this.client.query(text);
    }
    return this.client.query(config);
  }
}
