// Stored answers of requests sent with an Idempotency-Key (SQLite). The bounds (expiry, per-user
// count and bytes) are applied by the caller (http/idempotency.js) through purge/trim.

export function idempotencyRepo(db) {
  const q = {
    get: db.prepare('SELECT * FROM idempotency_keys WHERE username = ? AND key = ?'),
    put: db.prepare(
      'INSERT INTO idempotency_keys (username, key, fingerprint, status_code, body, created_at, size) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    done: db.prepare('UPDATE idempotency_keys SET status_code = ?, body = ?, size = ? WHERE username = ? AND key = ?'),
    drop: db.prepare('DELETE FROM idempotency_keys WHERE username = ? AND key = ? AND status_code IS NULL'),
    expiredOf: db.prepare('DELETE FROM idempotency_keys WHERE username = ? AND created_at < ? AND status_code IS NOT NULL'),
    expired: db.prepare('DELETE FROM idempotency_keys WHERE created_at < ? AND status_code IS NOT NULL'),
    // Newest first, a running count and byte total over the user's finished answers (read from
    // the covering index idempotency_by_user, not the bodies): everything past either bound.
    overflow: db.prepare(`DELETE FROM idempotency_keys WHERE rowid IN (
      SELECT rowid FROM (
        SELECT rowid, ROW_NUMBER() OVER w AS n, SUM(size) OVER w AS bytes FROM idempotency_keys
        WHERE username = ? AND status_code IS NOT NULL
        WINDOW w AS (ORDER BY created_at DESC, rowid DESC))
      WHERE n > 1 AND (n > ? OR bytes > ?))`),
  };
  return {
    // -> {username, key, fingerprint, status_code (null while running), body (JSON text), created_at, size} or null
    get(scope, key) {
      return q.get.get(scope, key) ?? null;
    },
    // status null: "in progress". A second insert of the same (scope, key) is a conflict.
    insert({ scope, key, fingerprint, status, body, createdAt }) {
      q.put.run(scope, key, fingerprint, status, body, createdAt, body === null ? 0 : Buffer.byteLength(body));
    },
    complete(scope, key, status, body) {
      q.done.run(status, body, Buffer.byteLength(body), scope, key);
    },
    dropRunning(scope, key) {
      q.drop.run(scope, key);
    },
    purgeExpired(cutoffIso, scope = null) {
      return (scope === null ? q.expired.run(cutoffIso) : q.expiredOf.run(scope, cutoffIso)).changes;
    },
    trim(scope, maxKeys, maxBytes) {
      return q.overflow.run(scope, maxKeys, maxBytes).changes;
    },
  };
}
