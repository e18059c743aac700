// Large bulk updates as background jobs (issue 13): above the threshold a bulk is answered 202
// with a job id, runs in the background with progress readable at GET /api/v1/jobs/:id, survives
// a SIGKILL mid-way (resumes, applies nothing twice) and ends with the synchronous bulk's
// per-order results and one batched notification.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../support/server.js';
import { ApiClient } from '../support/client.js';
import { waitFor } from './support/sinks.js';
import { withStoreDb, checkStore } from '../support/store-db.js';

process.env.ORDERFLOW_EXIT_WITH_PARENT = '1';

describe('a 2,000-order bulk update runs as a job', () => {
  let srv;
  let dataDir;
  const env = {
    ORDERFLOW_RATE_LIMIT: 'off',
    ORDERFLOW_SEED_CMS_ORDERS: '3000',
    ORDERFLOW_SEED_DELIVERY_ORDERS: '10',
    ORDERFLOW_TEST_BULK_PAUSE_MS: '40',
    ORDERFLOW_JOB_LEASE_MS: '1000',
  };
  // the database of every server of this test (same data dir: same SQLite file or PostgreSQL database)
  let dbTarget;
  const readDb = (fn) => withStoreDb(dbTarget, fn);

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'orderflow-jobs-'));
    srv = await startServer({ dataDir, env });
    dbTarget = { dataDir, databaseUrl: srv.databaseUrl };
  });
  after(async () => {
    await srv?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('202 with a job id, progress, a SIGKILL mid-way, resumed after restart, every order applied once', async () => {
    let admin = await new ApiClient(srv.url).login('admin');
    const doc = (await admin.get('/api/v1/workflow')).body;
    const all = (await admin.get('/api/v1/orders?per_page=5000')).body.orders;
    const open = doc.statuses.filter((s) => !s.terminal).map((s) => s.id);
    // A target every open status may move to for an admin, with no field or guard (from the document).
    const target = doc.statuses.find((s) =>
      open.every((from) =>
        doc.transitions.some(
          (t) => t.from === from && t.to === s.id && !(t.requires ?? []).length && !(t.guards ?? []).length && t.roles.includes('admin'),
        ),
      ),
    ).id;
    const movable = all.filter((o) => open.includes(o.status));
    const stuck = all.filter((o) => !open.includes(o.status));
    const ids = [...movable.slice(0, 1500), ...stuck.slice(0, 500)].map((o) => o.id).sort((a, b) => a - b);
    assert.equal(ids.length, 2000);
    const before = new Map(all.map((o) => [o.id, o.lock_version]));

    const r = await admin.post(
      '/api/v1/orders/bulk_update',
      { order_ids: ids, status: target, notes: 'bulk job' },
      { headers: { 'Idempotency-Key': 'job-2000' } },
    );
    assert.equal(r.status, 202, JSON.stringify(r.body).slice(0, 300));
    const jobId = r.body.job_id;
    assert.equal(r.headers.get('location'), `/api/v1/jobs/${jobId}`);
    assert.equal(r.body.job.total, 2000);
    const again = await admin.post(
      '/api/v1/orders/bulk_update',
      { order_ids: ids, status: target, notes: 'bulk job' },
      { headers: { 'Idempotency-Key': 'job-2000' } },
    );
    assert.equal(again.body.job_id, jobId, 'the same Idempotency-Key answers the same job');

    const manager = await new ApiClient(srv.url).login('manager');
    assert.equal((await manager.get(`/api/v1/jobs/${jobId}`)).status, 404, "someone else's job is not shown");

    // Progress, then kill -9 part-way.
    const seen = [];
    await waitFor(
      async () => {
        const j = (await admin.get(`/api/v1/jobs/${jobId}?results=0`)).body.job;
        seen.push(j.done);
        return j.done >= 300;
      },
      30000,
      20,
    );
    srv.process.kill('SIGKILL');
    await srv.stop();
    assert.ok(
      seen.some((d) => d > 0 && d < 2000),
      `progress was visible part-way: ${seen.slice(-5)}`,
    );
    assert.deepEqual(
      seen,
      [...seen].sort((a, b) => a - b),
      'progress never goes back',
    );
    const atKill = (await readDb((db) => db.get('SELECT COUNT(result) AS n FROM job_items WHERE job_id = ?', jobId))).n;
    assert.ok(atKill < 2000, `killed before the end (${atKill} done)`);

    srv = await startServer({ dataDir, env });
    admin = await new ApiClient(srv.url).login('admin');
    const job = await waitFor(
      async () => {
        const j = (await admin.get(`/api/v1/jobs/${jobId}`)).body.job;
        return j.state === 'done' && j;
      },
      60000,
      100,
    );
    assert.equal(job.done, 2000);
    assert.equal(job.results.length, 2000);
    assert.deepEqual(
      job.results.map((x) => x.id),
      ids,
      'one result per order, in request order',
    );
    assert.equal(job.succeeded, 1500);
    assert.equal(job.failed, 500);
    assert.ok(job.results.filter((x) => x.ok).every((x) => x.order.status === target && x.order.lock_version === before.get(x.id) + 1));

    // Applied once: exactly one history row into the target per moved order, lock_version + 1.
    const moved = movable.slice(0, 1500).map((o) => o.id);
    const counts = await readDb((db) =>
      db.all(`SELECT order_id, COUNT(*) AS n FROM history WHERE source = 'bulk' AND notes = 'bulk job'
      AND order_id IN (${moved.join(',')}) GROUP BY order_id`),
    );
    assert.equal(counts.length, 1500);
    assert.ok(
      counts.every((c) => c.n === 1),
      'no order was changed twice',
    );

    // The same per-order result as the synchronous bulk gives for a refused order.
    const sync = await admin.post('/api/v1/orders/bulk_update', { order_ids: [stuck[0].id], status: target });
    assert.deepEqual(
      job.results.find((x) => x.id === stuck[0].id),
      sync.body.results[0],
    );

    // One batched notification listing the moved orders (held: no transport configured here).
    assert.ok(job.notification_id);
    const n = await waitFor(async () => {
      const x = (await admin.get(`/api/v1/notifications/${job.notification_id}`)).body.notification;
      return x.state === 'held' && x;
    });
    assert.equal(n.kind, 'batch');
    assert.equal(n.order_count, 1500);
    // History complete and unduplicated, reserved stock what the orders hold, across the kill.
    const delivery = (await admin.get('/api/workflow')).body;
    const c = await checkStore(
      dbTarget,
      { cms: doc.statuses, delivery: delivery.statuses },
      { cms: (v) => doc.aliases?.[v]?.to ?? v, delivery: (v) => delivery.aliases?.[v]?.to ?? v },
    );
    assert.deepEqual(c.problems, []);

    // The 500 refusals are in the audit trail, as bulk.
    const audit = (await admin.get('/api/v1/audit?username=admin&limit=1000')).body.entries;
    const refusedIds = new Set(job.results.filter((x) => !x.ok).map((x) => x.id));
    assert.equal(new Set(audit.filter((e) => e.source === 'bulk' && refusedIds.has(e.order_id)).map((e) => e.order_id)).size, 500);
  });
});
