// Users and sessions (SQLite). A user row answers {username, display_name, password_hash, roles,
// stores} with roles and stores parsed; sessions are stored by the sha256 of their token.

import { userFromRow, userOf } from '../user-row.js';

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
    // Every request asks this: rows as arrays (raw), since better-sqlite3 builds a row object
    // property by property, which cost more than the lookup itself.
    lookup: db
      .prepare(
        `SELECT s.csrf_token, s.expires_at, u.username, u.display_name, u.password_hash, u.roles, u.stores
         FROM sessions s JOIN users u ON u.username = s.username WHERE s.token_hash = ?`,
      )
      .raw(true),
    remove: db.prepare('DELETE FROM sessions WHERE token_hash = ?'),
    purge: db.prepare('DELETE FROM sessions WHERE expires_at < ?'),
    trim: db.prepare(
      `DELETE FROM sessions WHERE username = ? AND token_hash NOT IN
         (SELECT token_hash FROM sessions WHERE username = ? ORDER BY expires_at DESC, token_hash LIMIT ?)`,
    ),
  };
  return {
    // keep: the user's newest sessions kept (older ones deleted); -> how many were deleted
    create({ tokenHash, username, csrf, createdAt, expiresAt, keep }) {
      q.insert.run(tokenHash, username, csrf, createdAt, expiresAt);
      return keep ? q.trim.run(username, username, keep).changes : 0;
    },
    // -> {user, csrf, expiresAt} or null (expiry is the caller's to check)
    find(tokenHash) {
      const r = q.lookup.get(tokenHash);
      if (!r) return null;
      return { user: userOf(r[2], r[3], r[4], r[5], r[6]), csrf: r[0], expiresAt: r[1] };
    },
    remove(tokenHash) {
      q.remove.run(tokenHash);
    },
    purgeExpired(now) {
      return q.purge.run(now).changes;
    },
  };
}
