// Stored answers of requests sent with an Idempotency-Key (PostgreSQL); same methods and answers
// as store/sqlite/idempotency.js. The bounds (expiry, per-user count and bytes) are applied by the
// caller through purgeExpired/trim.
//
// Across instances: the primary key (username, key) is what makes a key used once. insert() is
// INSERT ... ON CONFLICT DO NOTHING and throws a unique-violation error itself when nothing was
// inserted, so the caller's transaction stays usable (a failed statement would abort it) and
// classify() answers 'conflict' as for SQLite's constraint error. A concurrent insert of the same
// key waits on the index until the first transaction ends, then sees the conflict.
//
// A key stays "in progress" (status_code NULL) while its request runs. The SQLite server forgets
// such rows at start (the process that ran them is gone); here other instances may still be
// running theirs, so each row names its instance (`owner`, the instance's application_name) and
// only rows whose instance has no connection left to PostgreSQL are forgotten: at start and on
// every purge. Expired keys are deleted in batches with FOR UPDATE SKIP LOCKED, so instances
// purging at the same moment split the rows instead of queueing on each other's locks.
import { statement, hasNul } from './pool.js';

const S = {
  get: statement(
    'SELECT username, key, fingerprint, status_code, body, created_at, size FROM idempotency_keys WHERE username = $1 AND key = $2',
  ),
  put: statement(`INSERT INTO idempotency_keys (username, key, fingerprint, status_code, body, created_at, size, owner)
                  VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (username, key) DO NOTHING`),
  done: statement('UPDATE idempotency_keys SET status_code = $1, body = $2, size = $3, owner = NULL WHERE username = $4 AND key = $5'),
  drop: statement('DELETE FROM idempotency_keys WHERE username = $1 AND key = $2 AND status_code IS NULL'),
  expiredOf: statement('DELETE FROM idempotency_keys WHERE username = $1 AND created_at < $2 AND status_code IS NOT NULL'),
  expired: statement(`DELETE FROM idempotency_keys WHERE ctid = ANY(ARRAY(
                        SELECT ctid FROM idempotency_keys WHERE created_at < $1 AND status_code IS NOT NULL
                        LIMIT 1000 FOR UPDATE SKIP LOCKED))`),
  orphans: statement(`DELETE FROM idempotency_keys WHERE status_code IS NULL
                        AND (owner IS NULL OR owner NOT IN (SELECT application_name FROM pg_stat_activity WHERE application_name IS NOT NULL))`),
  // Newest first, a running count and byte total over the user's finished answers: everything
  // past either bound (the newest is always kept).
  overflow: statement(`DELETE FROM idempotency_keys WHERE seq IN (
                         SELECT seq FROM (
                           SELECT seq, ROW_NUMBER() OVER w AS n, SUM(size) OVER w AS bytes FROM idempotency_keys
                           WHERE username = $1 AND status_code IS NOT NULL
                           WINDOW w AS (ORDER BY created_at DESC, seq DESC)) t
                         WHERE n > 1 AND (n > $2 OR bytes > $3))`),
};

export function uniqueViolation(what) {
  return Object.assign(new Error(`duplicate key: ${what}`), { code: '23505' });
}

// owner: this instance's application_name (index.js).
export function idempotencyRepo(x, { owner }) {
  return {
    // -> {username, key, fingerprint, status_code (null while running), body (JSON text), created_at, size} or null
    async get(scope, key) {
      return hasNul(scope) || hasNul(key) ? null : x.get(S.get, [scope, key]);
    },
    // status null: "in progress". A second insert of the same (scope, key) is a conflict.
    async insert({ scope, key, fingerprint, status, body, createdAt }) {
      const n = await x.run(S.put, [
        scope,
        key,
        fingerprint,
        status,
        body,
        createdAt,
        body === null ? 0 : Buffer.byteLength(body),
        status === null ? owner : null,
      ]);
      if (n !== 1) throw uniqueViolation('idempotency key');
    },
    async complete(scope, key, status, body) {
      await x.run(S.done, [status, body, Buffer.byteLength(body), scope, key]);
    },
    async dropRunning(scope, key) {
      await x.run(S.drop, [scope, key]);
    },
    async purgeExpired(cutoffIso, scope = null) {
      if (scope !== null) return x.run(S.expiredOf, [scope, cutoffIso]);
      let total = await x.run(S.orphans);
      for (let n = 1000; n === 1000;) {
        n = await x.run(S.expired, [cutoffIso]);
        total += n;
      }
      return total;
    },
    trim(scope, maxKeys, maxBytes) {
      return x.run(S.overflow, [scope, maxKeys, maxBytes]);
    },
    // At start: forget keys of requests whose instance is gone (see above).
    dropOrphans() {
      return x.run(S.orphans);
    },
  };
}
