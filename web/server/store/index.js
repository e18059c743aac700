// The server's storage, behind one asynchronous interface (README.md in this folder): SQLite, the
// embedded default, or PostgreSQL when DATABASE_URL=postgres://... is set (store/postgres/).
// Every rule is the engine's: a store holds data only.
import { openSqliteStore } from './sqlite/index.js';
export { CHANNEL_NONE } from './channels.js';

// config: {databaseUrl, dataDir, busyTimeoutMs, maxPages}. -> Promise<Store>
export async function openStore(config) {
  const url = config.databaseUrl ?? null;
  if (url) {
    if (!/^postgres(ql)?:\/\//.test(url)) throw new Error(`DATABASE_URL must be a postgres:// URL, got "${String(url).slice(0, 40)}..."`);
    let mod;
    try {
      mod = await import('./postgres/index.js');
    } catch (e) {
      throw new Error(`DATABASE_URL is set but the PostgreSQL store is not available here: ${e?.message ?? e}`, { cause: e });
    }
    return mod.openPostgresStore(config);
  }
  return openSqliteStore(config);
}

// The HTTP answer for a storage failure (see Store.classify), or null for any other error. Either
// way the transaction was rolled back: nothing was changed.
export function storageFailure(store, err) {
  const kind = store.classify(err);
  if (kind === 'busy')
    return {
      status: 503,
      code: 'unavailable',
      message: 'The database is locked by another process; nothing was changed. Retry shortly.',
      headers: { 'Retry-After': '1' },
    };
  if (kind === 'full')
    return {
      status: 507,
      code: 'storage_full',
      message: "The server's disk is full; nothing was changed. Free some space, then retry.",
      headers: {},
    };
  return null;
}
