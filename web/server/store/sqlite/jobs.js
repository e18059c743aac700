// Bulk jobs and their per-order items (SQLite). A job is leased by one process at a time
// (claim: one UPDATE ... WHERE the lease is free or ours), so N instances run it once.

export function jobsRepo(db) {
  const q = {
    insertJob: db.prepare(`INSERT INTO jobs (id, kind, workflow, username, params, state, total, notification_id, created_at)
                           VALUES (?, 'bulk_update', ?, ?, ?, 'queued', ?, ?, ?)`),
    insertItem: db.prepare('INSERT INTO job_items (job_id, seq, order_id) VALUES (?, ?, ?)'),
    job: db.prepare('SELECT * FROM jobs WHERE id = ?'),
    progress: db.prepare(`SELECT COUNT(result) AS done,
                                 SUM(CASE WHEN json_extract(result, '$.ok') THEN 1 ELSE 0 END) AS succeeded
                          FROM job_items WHERE job_id = ?`),
    todo: db.prepare('SELECT seq, order_id FROM job_items WHERE job_id = ? AND result IS NULL ORDER BY seq LIMIT ?'),
    results: db.prepare('SELECT result FROM job_items WHERE job_id = ? ORDER BY seq'),
    setResult: db.prepare('UPDATE job_items SET result = ? WHERE job_id = ? AND seq = ? AND result IS NULL'),
    claimable: db.prepare(
      "SELECT id FROM jobs WHERE state != 'done' AND (lease_until IS NULL OR lease_until <= ?) ORDER BY created_at LIMIT ?",
    ),
    claim: db.prepare(`UPDATE jobs SET lease_owner = @owner, lease_until = @until, state = 'running'
                       WHERE id = @id AND state != 'done' AND (lease_until IS NULL OR lease_until <= @now OR lease_owner = @owner)`),
    finish: db.prepare(`UPDATE jobs SET state = 'done', finished_at = ?, lease_owner = NULL, lease_until = NULL
                        WHERE id = ? AND lease_owner = ?`),
    release: db.prepare("UPDATE jobs SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ? AND state != 'done'"),
    active: db.prepare("SELECT COUNT(*) AS n FROM jobs WHERE username = ? AND state != 'done'"),
    expiredItems: db.prepare("DELETE FROM job_items WHERE job_id IN (SELECT id FROM jobs WHERE state = 'done' AND finished_at < ?)"),
    expiredJobs: db.prepare("DELETE FROM jobs WHERE state = 'done' AND finished_at < ?"),
  };
  return {
    // job: {id, workflow, username, params (object), total, notificationId, createdAt}; orderIds in order.
    create(job, orderIds) {
      q.insertJob.run(job.id, job.workflow, job.username, JSON.stringify(job.params), job.total, job.notificationId, job.createdAt);
      orderIds.forEach((orderId, seq) => q.insertItem.run(job.id, seq, orderId));
    },
    // -> the job row with params parsed, or null
    get(id) {
      const job = q.job.get(id);
      return job ? { ...job, params: JSON.parse(job.params) } : null;
    },
    progress(id) {
      const p = q.progress.get(id);
      return { done: p.done, succeeded: p.succeeded ?? 0 };
    },
    todo(id, limit) {
      return q.todo.all(id, limit);
    },
    results(id) {
      return q.results.all(id).map((r) => JSON.parse(r.result));
    },
    // -> false when the item already had a result (another process did it)
    setResult(id, seq, result) {
      return q.setResult.run(JSON.stringify(result), id, seq).changes === 1;
    },
    claimable(now, limit = 5) {
      return q.claimable.all(now, limit).map((r) => r.id);
    },
    claim(id, owner, now, until) {
      return q.claim.run({ id, owner, now, until }).changes === 1;
    },
    finish(id, owner, at) {
      return q.finish.run(at, id, owner).changes === 1;
    },
    release(owner) {
      return q.release.run(owner).changes;
    },
    activeCount(username) {
      return q.active.get(username).n;
    },
    purgeFinished(cutoffIso) {
      q.expiredItems.run(cutoffIso);
      return q.expiredJobs.run(cutoffIso).changes;
    },
  };
}
