// Stored answers of requests sent with an Idempotency-Key, per user (the "scope"), and their
// bounds while the server runs: a key expires after `ttlMs`, and each user keeps at most
// `maxKeys` answers and `maxBytes` of answer bodies (the oldest finished ones go first; the newest
// is always kept). So a flood of fresh keys cannot grow the database without bound.
export class IdempotencyKeys {
  constructor(db, { ttlMs, maxKeys, maxBytes }) {
    this.ttlMs = ttlMs;
    this.maxKeys = maxKeys;
    this.maxBytes = maxBytes;
    this.q = {
      get: db.prepare('SELECT * FROM idempotency_keys WHERE username = ? AND key = ?'),
      put: db.prepare('INSERT INTO idempotency_keys (username, key, fingerprint, status_code, body, created_at, size) VALUES (?, ?, ?, ?, ?, ?, ?)'),
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
    this.purge();
    // Idle users' keys expire too; the timer does not keep the process alive.
    this.timer = setInterval(() => this.purge(), Math.min(ttlMs, 60000));
    this.timer.unref();
  }

  cutoff() { return new Date(Date.now() - this.ttlMs).toISOString(); }

  // The stored row for (scope, key) if it has not expired, else undefined.
  get(scope, key) {
    const row = this.q.get.get(scope, key);
    return row && (row.status_code === null || row.created_at >= this.cutoff()) ? row : undefined;
  }

  // Records a finished answer (status + body), or a running one (status null), then applies the
  // user's bounds. Call inside the caller's transaction.
  put(scope, key, fingerprint, status, body) {
    const text = status === null ? null : JSON.stringify(body);
    this.q.expiredOf.run(scope, this.cutoff());
    this.q.put.run(scope, key, fingerprint, status, text, new Date().toISOString(), text === null ? 0 : Buffer.byteLength(text));
    if (status !== null) this.q.overflow.run(scope, this.maxKeys, this.maxBytes);
  }

  finish(scope, key, status, body) {
    const text = JSON.stringify(body);
    this.q.done.run(status, text, Buffer.byteLength(text), scope, key);
    this.q.overflow.run(scope, this.maxKeys, this.maxBytes);
  }

  drop(scope, key) { this.q.drop.run(scope, key); }

  purge() { this.q.expired.run(this.cutoff()); }

  stop() { clearInterval(this.timer); }
}
