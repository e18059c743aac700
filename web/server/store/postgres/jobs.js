// Bulk jobs and their per-order items (PostgreSQL); same methods and answers as
// store/sqlite/jobs.js.
//
// Running each job once across instances: claim() is one UPDATE ... WHERE the lease is free (or
// ours). Under READ COMMITTED, a second instance's UPDATE of the same row waits for the first to
// commit and then re-checks the WHERE on the new row: the lease is no longer free, 0 rows, no
// claim. claimable() lists candidates with FOR UPDATE SKIP LOCKED, so instances looking at the
// same moment skip a job another is claiming right now rather than wait for it.
import { statement } from './pool.js';

const S = {
  insertJob: statement(`INSERT INTO jobs (id, kind, workflow, username, params, state, total, notification_id, created_at)
                        VALUES ($1, 'bulk_update', $2, $3, $4, 'queued', $5, $6, $7)`),
  insertItems: statement(
    'INSERT INTO job_items (job_id, seq, order_id) SELECT $1, s - 1, o FROM unnest($2::bigint[]) WITH ORDINALITY AS t(o, s)',
  ),
  job: statement('SELECT * FROM jobs WHERE id = $1'),
  progress: statement(`SELECT COUNT(result) AS done,
                              SUM(CASE WHEN (result::jsonb -> 'ok') = 'true'::jsonb THEN 1 ELSE 0 END) AS succeeded
                       FROM job_items WHERE job_id = $1`),
  todo: statement('SELECT seq, order_id FROM job_items WHERE job_id = $1 AND result IS NULL ORDER BY seq LIMIT $2'),
  results: statement('SELECT result FROM job_items WHERE job_id = $1 ORDER BY seq'),
  setResult: statement('UPDATE job_items SET result = $1 WHERE job_id = $2 AND seq = $3 AND result IS NULL'),
  forceResult: statement('UPDATE job_items SET result = $1 WHERE job_id = $2 AND seq = $3'),
  claimable: statement(`SELECT id FROM jobs WHERE state != 'done' AND (lease_until IS NULL OR lease_until <= $1)
                        ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED`),
  claim: statement(`UPDATE jobs SET lease_owner = $2, lease_until = $4, state = 'running'
                    WHERE id = $1 AND state != 'done' AND (lease_until IS NULL OR lease_until <= $3 OR lease_owner = $2)`),
  finish: statement(`UPDATE jobs SET state = 'done', finished_at = $1, lease_owner = NULL, lease_until = NULL
                     WHERE id = $2 AND lease_owner = $3`),
  release: statement("UPDATE jobs SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1 AND state != 'done'"),
  active: statement("SELECT COUNT(*) AS n FROM jobs WHERE username = $1 AND state != 'done'"),
  expiredItems: statement("DELETE FROM job_items WHERE job_id IN (SELECT id FROM jobs WHERE state = 'done' AND finished_at < $1)"),
  expiredJobs: statement("DELETE FROM jobs WHERE state = 'done' AND finished_at < $1"),
};

export function jobsRepo(x) {
  return {
    // job: {id, workflow, username, params (object), total, notificationId, createdAt}; orderIds in order.
    async create(job, orderIds) {
      await x.run(S.insertJob, [
        job.id,
        job.workflow,
        job.username,
        JSON.stringify(job.params),
        job.total,
        job.notificationId,
        job.createdAt,
      ]);
      if (orderIds.length) await x.run(S.insertItems, [job.id, orderIds]);
    },
    // -> the job row with params parsed, or null
    async get(id) {
      if (typeof id !== 'string' || id.includes('\u0000')) return null;
      const job = await x.get(S.job, [id]);
      return job ? { ...job, params: JSON.parse(job.params) } : null;
    },
    async progress(id) {
      const p = await x.get(S.progress, [id]);
      return { done: p.done, succeeded: p.succeeded ?? 0 };
    },
    todo(id, limit) {
      return x.all(S.todo, [id, limit]);
    },
    async results(id) {
      return (await x.all(S.results, [id])).map((r) => JSON.parse(r.result));
    },
    // -> false when the item already had a result (another instance did it)
    async setResult(id, seq, result, { overwrite = false } = {}) {
      return (await x.run(overwrite ? S.forceResult : S.setResult, [JSON.stringify(result), id, seq])) === 1;
    },
    async claimable(now, limit = 5) {
      return (await x.all(S.claimable, [now, limit])).map((r) => r.id);
    },
    async claim(id, owner, now, until) {
      return (await x.run(S.claim, [id, owner, now, until])) === 1;
    },
    async finish(id, owner, at) {
      return (await x.run(S.finish, [at, id, owner])) === 1;
    },
    release(owner) {
      return x.run(S.release, [owner]);
    },
    async activeCount(username) {
      return (await x.get(S.active, [username])).n;
    },
    async purgeFinished(cutoffIso) {
      await x.run(S.expiredItems, [cutoffIso]);
      return x.run(S.expiredJobs, [cutoffIso]);
    },
  };
}
