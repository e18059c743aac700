// Stored answers of requests sent with an Idempotency-Key, per user (the "scope"), and their
// bounds while the server runs: a key expires after `ttlMs`, and each user keeps at most
// `maxKeys` answers and `maxBytes` of answer bodies (the oldest finished ones go first; the newest
// is always kept). So a flood of fresh keys cannot grow the database without bound. The rows live
// in the store (store.idempotency); this class holds the policy.
export class IdempotencyKeys {
  constructor(store, { ttlMs, maxKeys, maxBytes, log = console }) {
    this.store = store;
    this.ttlMs = ttlMs;
    this.maxKeys = maxKeys;
    this.maxBytes = maxBytes;
    this.log = log;
    this.purge();
    // Idle users' keys expire too; the timer does not keep the process alive. Every instance runs
    // it: the DELETE is idempotent, so N instances purging the same rows do no harm.
    this.timer = setInterval(() => this.purge(), Math.min(ttlMs, 60000));
    this.timer.unref();
  }

  cutoff() {
    return new Date(Date.now() - this.ttlMs).toISOString();
  }

  // The stored row for (scope, key) if it has not expired, else undefined. db: the store or a tx.
  async get(db, scope, key) {
    const row = await db.idempotency.get(scope, key);
    return row && (row.status_code === null || row.created_at >= this.cutoff()) ? row : undefined;
  }

  // Records a finished answer (status + body), or a running one (status null), then applies the
  // user's bounds. Call inside the caller's transaction (tx).
  async put(tx, scope, key, fingerprint, status, body) {
    const text = status === null ? null : JSON.stringify(body);
    await tx.idempotency.purgeExpired(this.cutoff(), scope);
    await tx.idempotency.insert({ scope, key, fingerprint, status, body: text, createdAt: new Date().toISOString() });
    if (status !== null) await tx.idempotency.trim(scope, this.maxKeys, this.maxBytes);
  }

  finish(scope, key, status, body) {
    return this.store.transaction(async (tx) => {
      await tx.idempotency.complete(scope, key, status, JSON.stringify(body));
      await tx.idempotency.trim(scope, this.maxKeys, this.maxBytes);
    });
  }

  drop(scope, key) {
    return this.store.idempotency.dropRunning(scope, key);
  }

  purge() {
    return this.store.idempotency
      .purgeExpired(this.cutoff())
      .catch((e) => this.log.error(`orderflow: purging idempotency keys failed: ${e?.message ?? e}`));
  }

  stop() {
    clearInterval(this.timer);
  }
}
