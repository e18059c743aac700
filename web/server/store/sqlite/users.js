// Users and sessions (SQLite). A user row answers {username, display_name, password_hash, roles,
// stores} with roles and stores parsed; sessions are stored by the sha256 of their token.

const userFromRow = (row) => (row ? {
  username: row.username,
  display_name: row.display_name,
  password_hash: row.password_hash,
  roles: JSON.parse(row.roles),
  stores: JSON.parse(row.stores),
} : null);

export function usersRepo(db) {
  const q = {
    get: db.prepare('SELECT * FROM users WHERE username = ?'),
    all: db.prepare('SELECT * FROM users ORDER BY rowid'),
  };
  return {
    get(username) { return userFromRow(q.get.get(username)); },
    list() { return q.all.all().map(userFromRow); },
  };
}

// Every API request resolves its session, so `find` answers from a small in-memory cache while
// nothing else can have changed it: an entry lives at most SESSION_CACHE_MS, and the whole cache
// is dropped as soon as another connection (another process on this file, a test's own
// connection) has committed anything (PRAGMA data_version changes), since that may have removed
// the session or changed its user's roles or stores. Changes through this connection go through
// remove()/purgeExpired() (which drop entries) or seeding (before any session exists). Expiry is
// the caller's check on every answer, cached or not. Unknown tokens are never cached.
const SESSION_CACHE_MS = 1000;
const SESSION_CACHE_MAX = 10000;

export function sessionsRepo(db) {
  const q = {
    insert: db.prepare('INSERT INTO sessions (token_hash, username, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)'),
    lookup: db.prepare(`SELECT s.csrf_token, s.expires_at, u.* FROM sessions s JOIN users u ON u.username = s.username
                        WHERE s.token_hash = ?`),
    remove: db.prepare('DELETE FROM sessions WHERE token_hash = ?'),
    purge: db.prepare('DELETE FROM sessions WHERE expires_at < ?'),
    dataVersion: db.prepare('PRAGMA data_version').pluck(),
  };
  const cache = new Map();  // tokenHash -> {session, until}
  let seenVersion = null;
  return {
    create({ tokenHash, username, csrf, createdAt, expiresAt }) { q.insert.run(tokenHash, username, csrf, createdAt, expiresAt); },
    // -> {user, csrf, expiresAt} or null (expiry is the caller's to check)
    find(tokenHash) {
      const now = Date.now();
      const version = q.dataVersion.get();
      if (version !== seenVersion) { cache.clear(); seenVersion = version; }
      const hit = cache.get(tokenHash);
      if (hit && hit.until > now) return hit.session;
      const row = q.lookup.get(tokenHash);
      if (!row) { cache.delete(tokenHash); return null; }
      const session = { user: userFromRow(row), csrf: row.csrf_token, expiresAt: row.expires_at };
      if (cache.size >= SESSION_CACHE_MAX) cache.delete(cache.keys().next().value);
      cache.set(tokenHash, { session, until: now + SESSION_CACHE_MS });
      return session;
    },
    remove(tokenHash) { cache.delete(tokenHash); q.remove.run(tokenHash); },
    purgeExpired(now) { cache.clear(); return q.purge.run(now).changes; },
  };
}
