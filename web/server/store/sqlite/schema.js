// The SQLite schema's migrations (better-sqlite3, WAL), and opening the file. The tables are
// ../tables.js's, shared with the PostgreSQL store (../postgres/), as is SCHEMA_VERSION.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SCHEMA_VERSION, renderSchema } from '../tables.js';

export { SCHEMA_VERSION };

// Tables first, then the column migration, then the indexes (one of them reads the migrated column).
const { tables: TABLES_SQL, indexes: INDEXES_SQL } = renderSchema('sqlite');

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

// New tables arrive by CREATE TABLE IF NOT EXISTS, so an older file gains them on its next start
// without touching what it holds; a new column of an existing table needs its ALTER here.
export function migrate(db) {
  db.exec(TABLES_SQL);
  // Files made before the per-user bound on idempotency keys: add the size column.
  if (!db.prepare('SELECT 1 FROM pragma_table_info(?) WHERE name = ?').get('idempotency_keys', 'size')) {
    db.exec(
      'ALTER TABLE idempotency_keys ADD COLUMN size INTEGER NOT NULL DEFAULT 0; UPDATE idempotency_keys SET size = length(CAST(body AS BLOB)) WHERE body IS NOT NULL',
    );
  }
  db.exec(INDEXES_SQL);
  db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)').run('schema_version', String(SCHEMA_VERSION));
}

export const isFullError = (err) => !!err && typeof err.code === 'string' && err.code.startsWith('SQLITE_FULL');
export const isBusyError = (err) =>
  !!err && typeof err.code === 'string' && (err.code.startsWith('SQLITE_BUSY') || err.code.startsWith('SQLITE_LOCKED'));
export const isConflictError = (err) =>
  !!err && typeof err.code === 'string' && (err.code === 'SQLITE_CONSTRAINT_UNIQUE' || err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY');
