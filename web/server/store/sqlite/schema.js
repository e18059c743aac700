// The SQLite schema and its migrations (better-sqlite3, WAL), and opening the file. The PostgreSQL
// store (../postgres/) keeps the same tables, columns and schema_version.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS stores (id TEXT PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
  username TEXT PRIMARY KEY,
  display_name TEXT NOT NULL,
  password_hash TEXT NOT NULL,          -- scrypt$N$r$p$salt(hex)$hash(hex)
  roles TEXT NOT NULL,                  -- JSON {workflowId: role | null}
  stores TEXT NOT NULL                  -- JSON [store_id, ...]
);
CREATE TABLE IF NOT EXISTS sessions (
  token_hash TEXT PRIMARY KEY,          -- sha256 of the bearer token / cookie value
  username TEXT NOT NULL REFERENCES users(username),
  csrf_token TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at INTEGER NOT NULL           -- unix ms
);
CREATE TABLE IF NOT EXISTS orders (
  id INTEGER PRIMARY KEY,
  workflow TEXT NOT NULL,
  status TEXT NOT NULL,                 -- as stored (may be a legacy value the engine maps)
  store_id TEXT NOT NULL REFERENCES stores(id),
  lock_version INTEGER NOT NULL DEFAULT 0,
  payment_status TEXT,
  customer_name TEXT NOT NULL,
  total REAL NOT NULL,
  tracking_number TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  updated_by TEXT
);
CREATE INDEX IF NOT EXISTS orders_by_workflow ON orders(workflow, store_id, status);
CREATE TABLE IF NOT EXISTS order_items (
  id INTEGER PRIMARY KEY,
  order_id INTEGER NOT NULL REFERENCES orders(id),
  sku TEXT NOT NULL,
  name TEXT NOT NULL,
  quantity INTEGER NOT NULL CHECK (quantity > 0)
);
CREATE INDEX IF NOT EXISTS order_items_by_order ON order_items(order_id);
CREATE TABLE IF NOT EXISTS inventory (
  store_id TEXT NOT NULL REFERENCES stores(id),
  sku TEXT NOT NULL,
  on_hand INTEGER NOT NULL,
  reserved INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (store_id, sku)
);
-- One row per status change; lock_version is the order's version after the change, so a
-- duplicated change cannot be stored twice.
CREATE TABLE IF NOT EXISTS history (
  id INTEGER PRIMARY KEY,
  order_id INTEGER NOT NULL REFERENCES orders(id),
  lock_version INTEGER NOT NULL,
  from_status TEXT,
  to_status TEXT NOT NULL,
  actor TEXT NOT NULL,
  at TEXT NOT NULL,
  notes TEXT,
  fields TEXT NOT NULL DEFAULT '{}',
  source TEXT NOT NULL,
  UNIQUE (order_id, lock_version)
);
-- Customer notifications waiting to be sent: one row per single change, one per bulk request.
CREATE TABLE IF NOT EXISTS notifications (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,                   -- 'single' | 'batch'
  created_at TEXT NOT NULL,
  sent_at TEXT
);
CREATE TABLE IF NOT EXISTS notification_items (
  notification_id INTEGER NOT NULL REFERENCES notifications(id),
  order_id INTEGER NOT NULL REFERENCES orders(id),
  lock_version INTEGER NOT NULL,
  status TEXT NOT NULL,
  PRIMARY KEY (notification_id, order_id, lock_version)
);
CREATE TABLE IF NOT EXISTS idempotency_keys (
  username TEXT NOT NULL,
  key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  status_code INTEGER,                  -- NULL while the first request is still running
  body TEXT,
  created_at TEXT NOT NULL,
  size INTEGER NOT NULL DEFAULT 0,      -- bytes of body (the per-user bound reads this, not the bodies)
  PRIMARY KEY (username, key)
);
`;

// --- issue 13 (notifications, audit, bulk jobs): tables added by migration ---------------------
// New tables only (CREATE ... IF NOT EXISTS), so a database of an older version gains them on its
// next start without touching what it holds. Their readers and writers: deliveries.js, audit.js,
// jobs.js in this folder.
const EXTRA_SCHEMA = `
-- One delivery per notification and transport ('webhook', 'email'), or one 'held' row (channel
-- 'none') when no transport was configured. A dispatcher claims a pending row by setting a lease
-- in one UPDATE (see deliveries.js), so several instances sharing the database send it once.
CREATE TABLE IF NOT EXISTS notification_deliveries (
  id INTEGER PRIMARY KEY,
  notification_id INTEGER NOT NULL REFERENCES notifications(id),
  channel TEXT NOT NULL,                -- 'webhook' | 'email' | 'none'
  state TEXT NOT NULL,                  -- 'pending' | 'sent' | 'failed' | 'held'
  message_id TEXT NOT NULL,             -- webhook-id: the same on every attempt
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,     -- unix ms
  lease_owner TEXT,
  lease_until INTEGER,                  -- unix ms; a lease past this is free to claim again
  last_error TEXT,
  created_at TEXT NOT NULL,
  sent_at TEXT,
  UNIQUE (notification_id, channel)
);
CREATE INDEX IF NOT EXISTS notification_deliveries_due ON notification_deliveries(state, next_attempt_at);
CREATE INDEX IF NOT EXISTS notifications_by_kind ON notifications(kind, id);
CREATE INDEX IF NOT EXISTS notification_items_by_order ON notification_items(order_id, lock_version);
-- Refused change attempts, append-only; capped (oldest rows roll off, see audit.js in this folder).
CREATE TABLE IF NOT EXISTS audit_refusals (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  username TEXT NOT NULL,
  workflow TEXT NOT NULL,
  order_id INTEGER,
  target_status TEXT,
  http_status INTEGER NOT NULL,
  codes TEXT NOT NULL,                  -- JSON array of error codes
  source TEXT NOT NULL                  -- 'ui' | 'api' | 'bulk' | 'pos'
);
CREATE INDEX IF NOT EXISTS audit_by_user ON audit_refusals(username, id);
CREATE INDEX IF NOT EXISTS audit_by_order ON audit_refusals(order_id, id);
-- Bulk updates run in the background; one row per order, done in the same transaction as its change.
CREATE TABLE IF NOT EXISTS jobs (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,                   -- 'bulk_update'
  workflow TEXT NOT NULL,
  username TEXT NOT NULL,
  params TEXT NOT NULL,                 -- JSON {status, fields}
  state TEXT NOT NULL,                  -- 'queued' | 'running' | 'done'
  total INTEGER NOT NULL,
  notification_id INTEGER,             -- the job's batched notification, created with the job
  lease_owner TEXT,                     -- the process running it; another may take over after lease_until
  lease_until INTEGER,
  created_at TEXT NOT NULL,
  finished_at TEXT
);
CREATE TABLE IF NOT EXISTS job_items (
  job_id TEXT NOT NULL REFERENCES jobs(id),
  seq INTEGER NOT NULL,
  order_id INTEGER NOT NULL,
  result TEXT,                          -- JSON per-order result; NULL until applied
  PRIMARY KEY (job_id, seq)
);
`;
// --- end issue 13 ------------------------------------------------------------------------------

// Opens (and creates or migrates) <dataDir>/orderflow.sqlite. maxPages: a cap on the file's size
// in pages: SQLite then fails writes with SQLITE_FULL, exactly as on a full disk (used to test that path).
export function openDatabase(dataDir, { busyTimeoutMs = 1000, maxPages = 0 } = {}) {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, 'orderflow.sqlite'), { timeout: busyTimeoutMs });
  db.pragma('journal_mode = WAL');
  if (maxPages > 0) db.pragma(`max_page_count = ${Math.max(maxPages, db.pragma('page_count', { simple: true }))}`);
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  migrate(db);
  // A request that was running when the process died never answered: forget its key.
  db.prepare('DELETE FROM idempotency_keys WHERE status_code IS NULL').run();
  // Expired keys are purged by the idempotency service while running (http/idempotency.js).
  db.prepare('DELETE FROM sessions WHERE expires_at < ?').run(Date.now());
  return db;
}

// A read-only second connection to the file `db` has opened, created and migrated (index.js: reads
// outside a transaction). null for an in-memory database (nothing to share).
export function openReader(db, { busyTimeoutMs = 1000 } = {}) {
  if (db.memory) return null;
  return new Database(db.name, { readonly: true, fileMustExist: true, timeout: busyTimeoutMs });
}

export function migrate(db) {
  db.exec(SCHEMA);
  // Files made before the per-user bound on idempotency keys: add the size column.
  if (!db.prepare('SELECT 1 FROM pragma_table_info(?) WHERE name = ?').get('idempotency_keys', 'size')) {
    db.exec(
      'ALTER TABLE idempotency_keys ADD COLUMN size INTEGER NOT NULL DEFAULT 0; UPDATE idempotency_keys SET size = length(CAST(body AS BLOB)) WHERE body IS NOT NULL',
    );
  }
  db.exec('CREATE INDEX IF NOT EXISTS idempotency_by_user ON idempotency_keys(username, created_at, status_code, size)');
  db.exec(EXTRA_SCHEMA); // issue 13 migration
  db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)').run('schema_version', String(SCHEMA_VERSION));
}

export const isFullError = (err) => !!err && typeof err.code === 'string' && err.code.startsWith('SQLITE_FULL');
export const isBusyError = (err) =>
  !!err && typeof err.code === 'string' && (err.code.startsWith('SQLITE_BUSY') || err.code.startsWith('SQLITE_LOCKED'));
export const isConflictError = (err) =>
  !!err && typeof err.code === 'string' && (err.code === 'SQLITE_CONSTRAINT_UNIQUE' || err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY');
