// The UI's job helper (web/src/api/jobs.js) against the reference server: a bulk above the
// threshold is followed to the end with progress, and resolves to the adapters' bulk shape; a
// small bulk is one ordinary request.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/server.js';
import { ApiClient } from '../support/client.js';
import { Http } from '../../web/src/api/http.js';
import { bulkUpdateAsJob } from '../../web/src/api/jobs.js';

process.env.ORDERFLOW_EXIT_WITH_PARENT = '1';
let srv;
let http;
let doc;
let orders;

before(async () => {
  srv = await startServer({
    env: {
      ORDERFLOW_RATE_LIMIT: 'off',
      ORDERFLOW_SEED_CMS_ORDERS: '1300',
      ORDERFLOW_SEED_DELIVERY_ORDERS: '10',
      ORDERFLOW_TEST_BULK_PAUSE_MS: '20',
      ORDERFLOW_JOB_MAX_ACTIVE: '1',
    },
  });
  const admin = await new ApiClient(srv.url).login('admin');
  // The page's Http with a bearer token instead of the browser's cookie.
  http = new Http({
    baseUrl: srv.url,
    fetchImpl: (url, init) => fetch(url, { ...init, headers: { ...init.headers, Authorization: `Bearer ${admin.token}` } }),
  });
  doc = (await admin.get('/api/v1/workflow')).body;
  orders = (await admin.get('/api/v1/orders?per_page=5000')).body.orders;
});
after(async () => {
  await srv?.stop();
});

test('above the threshold: 202, progress followed to the end, per-order results like a bulk answer', async () => {
  const open = doc.statuses.filter((s) => !s.terminal).map((s) => s.id);
  const target = doc.statuses.find((s) =>
    open.every((from) =>
      doc.transitions.some(
        (t) => t.from === from && t.to === s.id && !(t.requires ?? []).length && !(t.guards ?? []).length && t.roles.includes('admin'),
      ),
    ),
  ).id;
  const ids = orders.slice(0, 600).map((o) => o.id);
  const progress = [];
  const r = await bulkUpdateAsJob(http, 'cms', ids, { status: target }, { onProgress: (p) => progress.push(p.done), pollMs: 50 });
  assert.ok(r.jobId);
  assert.equal(r.results.length, 600);
  assert.deepEqual(
    r.results.map((x) => x.id),
    ids,
  );
  const movable = orders.slice(0, 600).filter((o) => open.includes(o.status)).length;
  assert.equal(r.succeeded, movable);
  assert.equal(r.failed, 600 - movable);
  assert.ok(r.results.filter((x) => !x.ok).every((x) => x.message && x.status === 422));
  assert.equal(progress.at(-1), 600);
  assert.ok(
    progress.some((d) => d < 600),
    `progress seen part-way: ${progress}`,
  );
});

test('one unfinished job per user here (ORDERFLOW_JOB_MAX_ACTIVE=1): a second is refused with 429 until the first ends', async () => {
  const ids = orders.slice(600, 1200).map((o) => o.id);
  const body = { order_ids: ids, status: doc.initial };
  const first = await http.send('POST', '/api/v1/orders/bulk_update', { body });
  assert.equal(first.status, 202);
  const second = await http.send('POST', '/api/v1/orders/bulk_update', { body });
  assert.equal(second.status, 429);
  assert.equal(second.body.error.code, 'too_many_jobs');
  assert.equal(second.headers.get('retry-after'), '5');
  const { followJob } = await import('../../web/src/api/jobs.js');
  const done = await followJob(http, first.body.job_id, { pollMs: 50 });
  assert.equal(done.results.length, 600);
  const third = await http.send('POST', '/api/v1/orders/bulk_update', { body });
  assert.equal(third.status, 202, 'allowed again once the first ended');
  await followJob(http, third.body.job_id, { pollMs: 50 });
});

test('at or below the threshold: one ordinary request', async () => {
  const o = orders.find((x) => x.status === doc.initial && x.id > 600);
  const r = await bulkUpdateAsJob(http, 'cms', [o.id], { status: doc.initial });
  assert.equal(r.jobId, undefined);
  assert.equal(r.results.length, 1);
  assert.equal(r.results[0].ok, false);
});
