// Users and sessions (PostgreSQL); same methods and answers as store/sqlite/users.js. A user row
// answers {username, display_name, password_hash, roles, stores} with roles and stores parsed;
// sessions are stored by the sha256 of their token.
import { statement, hasNul } from './pool.js';
import { userFromRow } from '../user-row.js';

const S = {
  get: statement('SELECT username, display_name, password_hash, roles, stores FROM users WHERE username = $1'),
  all: statement('SELECT username, display_name, password_hash, roles, stores FROM users ORDER BY seq'),
  insert: statement('INSERT INTO sessions (token_hash, username, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)'),
  lookup: statement(`SELECT s.csrf_token, s.expires_at, u.username, u.display_name, u.password_hash, u.roles, u.stores
                     FROM sessions s JOIN users u ON u.username = s.username WHERE s.token_hash = $1`),
  remove: statement('DELETE FROM sessions WHERE token_hash = $1'),
  purge: statement('DELETE FROM sessions WHERE expires_at < $1'),
  trim: statement(`DELETE FROM sessions WHERE username = $1 AND token_hash NOT IN
                     (SELECT token_hash FROM sessions WHERE username = $1 ORDER BY expires_at DESC, token_hash LIMIT $2)`),
};

export function usersRepo(x) {
  return {
    // A name with U+0000 cannot be stored in PostgreSQL text, so no user has it (and asking
    // would be an encoding error, not "no such user").
    async get(username) {
      return typeof username !== 'string' || hasNul(username) ? null : userFromRow(await x.get(S.get, [username]));
    },
    async list() {
      return (await x.all(S.all)).map(userFromRow);
    },
  };
}

export function sessionsRepo(x) {
  return {
    // keep: the user's newest sessions kept (older ones deleted); -> how many were deleted
    async create({ tokenHash, username, csrf, createdAt, expiresAt, keep }) {
      await x.run(S.insert, [tokenHash, username, csrf, createdAt, expiresAt]);
      return keep ? x.run(S.trim, [username, keep]) : 0;
    },
    // -> {user, csrf, expiresAt} or null (expiry is the caller's to check)
    async find(tokenHash) {
      if (hasNul(tokenHash)) return null;
      const row = await x.get(S.lookup, [tokenHash]);
      return row ? { user: userFromRow(row), csrf: row.csrf_token, expiresAt: row.expires_at } : null;
    },
    async remove(tokenHash) {
      if (!hasNul(tokenHash)) await x.run(S.remove, [tokenHash]);
    },
    purgeExpired(now) {
      return x.run(S.purge, [now]);
    },
  };
}
