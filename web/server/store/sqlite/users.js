// Users and sessions (SQLite). A user row answers {username, display_name, password_hash, roles,
// stores} with roles and stores parsed; sessions are stored by the sha256 of their token.

const userFromRow = (row) =>
  row
    ? {
        username: row.username,
        display_name: row.display_name,
        password_hash: row.password_hash,
        roles: JSON.parse(row.roles),
        stores: JSON.parse(row.stores),
      }
    : null;

export function usersRepo(db) {
  const q = {
    get: db.prepare('SELECT * FROM users WHERE username = ?'),
    all: db.prepare('SELECT * FROM users ORDER BY rowid'),
  };
  return {
    get(username) {
      return userFromRow(q.get.get(username));
    },
    list() {
      return q.all.all().map(userFromRow);
    },
  };
}

export function sessionsRepo(db) {
  const q = {
    insert: db.prepare('INSERT INTO sessions (token_hash, username, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)'),
    lookup: db.prepare(`SELECT s.csrf_token, s.expires_at, u.* FROM sessions s JOIN users u ON u.username = s.username
                        WHERE s.token_hash = ?`),
    remove: db.prepare('DELETE FROM sessions WHERE token_hash = ?'),
    purge: db.prepare('DELETE FROM sessions WHERE expires_at < ?'),
  };
  return {
    create({ tokenHash, username, csrf, createdAt, expiresAt }) {
      q.insert.run(tokenHash, username, csrf, createdAt, expiresAt);
    },
    // -> {user, csrf, expiresAt} or null (expiry is the caller's to check)
    find(tokenHash) {
      const row = q.lookup.get(tokenHash);
      return row ? { user: userFromRow(row), csrf: row.csrf_token, expiresAt: row.expires_at } : null;
    },
    remove(tokenHash) {
      q.remove.run(tokenHash);
    },
    purgeExpired(now) {
      return q.purge.run(now).changes;
    },
  };
}
