// Bulk jobs under the server's defences (issues 11 and 13 together): a job answers an order
// outside the user's stores exactly as a missing one (as the synchronous bulk does), and a job's
// ids are charged to the sender's rate-limit bucket.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/server.js';
import { ApiClient } from '../support/client.js';
import { waitFor } from './support/sinks.js';

process.env.ORDERFLOW_EXIT_WITH_PARENT = '1';
let srv;
let admin;

before(async () => {
  // Above 5 ids a bulk is a job here; 20 tokens a second, burst 100.
  srv = await startServer({ env: { ORDERFLOW_BULK_JOB_THRESHOLD: '5', ORDERFLOW_RATE_LIMIT: '20:100' } });
  admin = await new ApiClient(srv.url).login('admin');
});
after(async () => {
  await srv?.stop();
});

const job = (client, id) =>
  waitFor(
    async () => {
      const r = await client.get(`/api/v1/jobs/${id}`);
      return r.status === 200 && r.body.job.state === 'done' && r.body.job;
    },
    20000,
    250,
  );

test("a job answers orders outside the user's stores exactly as missing ones, and changes none of them", async () => {
  const manager = await new ApiClient(srv.url).login('manager'); // stores s1, s2
  const all = (await admin.get('/api/v1/orders?per_page=5000')).body.orders;
  const target = 'processing';
  const s3 = all.filter((o) => o.store_id === 's3' && o.status === 'new').slice(0, 4);
  const s3Other = all.filter((o) => o.store_id === 's3' && o.status !== 'new').slice(0, 4); // the engine would refuse these on the merits
  const mine = all.filter((o) => o.store_id === 's1').slice(0, 2);
  assert.ok(s3.length === 4 && s3Other.length === 4 && mine.length === 2);
  const ids = [...mine, ...s3, ...s3Other].map((o) => o.id).concat([999999]);
  const r = await manager.post('/api/v1/orders/bulk_update', { order_ids: ids, status: target });
  assert.equal(r.status, 202, JSON.stringify(r.body).slice(0, 200));
  const done = await job(manager, r.body.job_id);
  const strip = ({ id, ...rest }) => rest;
  const missing = strip(done.results.at(-1));
  assert.equal(missing.status, 404);
  for (const x of done.results.filter((y) => [...s3, ...s3Other].some((o) => o.id === y.id))) {
    assert.deepEqual(strip(x), missing, `order ${x.id} of s3 answered as a missing one`);
  }
  // The same per-order answer as the synchronous bulk gives.
  const sync = await manager.post('/api/v1/orders/bulk_update', { order_ids: [s3[0].id], status: target });
  assert.deepEqual(strip(sync.body.results[0]), missing);
  // The admin-only audit trail records the out-of-scope attempts (source bulk), not the missing id.
  const audit = (await admin.get('/api/v1/audit?username=manager&code=out_of_scope&limit=1000')).body.entries;
  const outside = [...s3, ...s3Other].map((o) => o.id);
  assert.deepEqual([...new Set(audit.filter((e) => e.source === 'bulk').map((e) => e.order_id))].sort(), [...outside].sort());
  assert.ok(audit.every((e) => e.http_status === 404 && outside.includes(e.order_id)));
  const after = (await admin.get('/api/v1/orders?per_page=5000&store_id=s3')).body.orders;
  for (const o of [...s3, ...s3Other])
    assert.equal(after.find((x) => x.id === o.id).lock_version, o.lock_version, `order ${o.id} unchanged`);
});

test("a job's ids are charged to the sender's bucket: after a 5,000-id job its next request waits (429)", async () => {
  const f = await new ApiClient(srv.url).login('fulfillment');
  assert.equal((await f.get('/api/auth/me')).status, 200);
  // 5,000 ids: about 40 KB of body (5 tokens for its bytes), 100 tokens for its ids.
  const ids = Array.from({ length: 5000 }, (_, i) => 1000000 + i);
  const r = await f.post('/api/v1/orders/bulk_update', { order_ids: ids, status: 'processing' });
  assert.equal(r.status, 202, JSON.stringify(r.body).slice(0, 200));
  const next = await f.get('/api/auth/me');
  assert.equal(next.status, 429, 'the job was charged by its ids');
  assert.ok(Number(next.headers.get('retry-after')) >= 1);
  assert.equal((await admin.get('/api/auth/me')).status, 200, 'other users are not affected');
  // A change refused by the rate limit is no refusal of an order: the audit trail does not grow by it.
  const mine = (await admin.get('/api/v1/orders?per_page=5000&store_id=s1')).body.orders[0];
  const limited = await f.put(`/api/v1/orders/${mine.id}`, { status: 'cancelled', lock_version: 999 });
  assert.equal(limited.status, 429);
  const rows = (await admin.get('/api/v1/audit?username=fulfillment&limit=1000')).body.entries;
  assert.ok(
    rows.every((e) => e.http_status !== 429),
    JSON.stringify(rows.slice(0, 3)),
  );
  const done = await job(admin, r.body.job_id);
  assert.equal(done.results.length, 5000);
});
