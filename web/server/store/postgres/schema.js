// The PostgreSQL schema of the reference server: the tables of ../tables.js (shared with the
// SQLite store; why the dialects differ is said there) and the same schema version in `meta`.
//
// Several instances may start at once on an empty database: migrate() takes a transaction-level
// advisory lock first, so exactly one creates the tables and the others then find them.
import { SCHEMA_VERSION, renderSchema } from '../tables.js';

export { SCHEMA_VERSION };

// Any constant; only this schema's migrations take this advisory lock.
const MIGRATION_LOCK = 1406202614;

// The channel of the instances' event hub (events/pg.js); the triggers below speak on it too.
export const PG_EVENTS_CHANNEL = 'orderflow_events';

// A user updated or deleted, or a session updated or deleted, by anyone (an instance's logout, an
// admin's SQL, a tool): every instance is told, and forgets the sessions it has taken as they were
// (auth.js's cache), so an edit is seen at once rather than up to ORDERFLOW_SESSION_CACHE_MS late.
// Per statement, and only when a row changed: a login's purge of expired sessions that deletes
// nothing says nothing. A separate trigger per event: a transition table belongs to one.
const IDENTITY_TRIGGERS = `
CREATE OR REPLACE FUNCTION orderflow_sessions_stale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM changed) THEN
    PERFORM pg_notify('${PG_EVENTS_CHANNEL}', '{"o":"db","e":[{"type":"sessions_stale"}]}');
  END IF;
  RETURN NULL;
END $$;
${['users', 'sessions']
  .flatMap((table) =>
    ['UPDATE', 'DELETE'].map(
      (event) => `CREATE OR REPLACE TRIGGER ${table}_${event.toLowerCase()}_stale AFTER ${event} ON ${table}
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION orderflow_sessions_stale();`,
    ),
  )
  .join('\n')}`;

const { tables, indexes } = renderSchema('postgres');
const SCHEMA = `${tables}\n${indexes}\n${IDENTITY_TRIGGERS}`;

// Creates what is missing and records the schema version (never lowers a newer one). A database
// written by a newer schema than this code knows is refused rather than misread.
// `client`: a pg Client or PoolClient (not in a transaction).
export async function migrate(client) {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(SCHEMA);
    const { rows } = await client.query("SELECT value FROM meta WHERE key = 'schema_version'");
    if (rows.length === 0) {
      await client.query("INSERT INTO meta (key, value) VALUES ('schema_version', $1)", [String(SCHEMA_VERSION)]);
    } else if (Number(rows[0].value) > SCHEMA_VERSION) {
      throw new Error(`the database has schema version ${rows[0].value}; this server knows up to ${SCHEMA_VERSION}`);
    }
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  }
}
