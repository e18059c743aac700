// The audit trail of refused change attempts (issue 13): 403 permission, 422 engine refusal,
// 409 stale writes and 404s for orders outside the user's stores (out_of_scope) are recorded with who, when, which order, the target status, the codes and the
// source; admins read them with filters; the table is capped; with no transport configured the
// notifications are held (kept and shown, never sent or dropped).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { withStoreDb } from '../support/store-db.js';
import { startServer } from '../support/server.js';
import { ApiClient } from '../support/client.js';
import { waitFor } from './support/sinks.js';

process.env.ORDERFLOW_EXIT_WITH_PARENT = '1';

const CAP = 25;
const PER_USER = 15; // ORDERFLOW_AUDIT_MAX_ROWS_PER_USER

describe('audit trail of refusals', () => {
  let srv;
  let admin;
  let manager;
  let fulfillment;
  let doc;
  let orders;
  const used = new Set();
  const audit = async (query = '') => (await admin.get(`/api/v1/audit${query}`)).body.entries;
  // rows stored, read from the database (SQLite or PostgreSQL: ORDERFLOW_TEST_STORE)
  const rows = async () => (await withStoreDb(srv, (db) => db.get('SELECT COUNT(*) AS n FROM audit_refusals'))).n;

  before(async () => {
    srv = await startServer({
      env: { ORDERFLOW_RATE_LIMIT: 'off', ORDERFLOW_AUDIT_MAX_ROWS: String(CAP), ORDERFLOW_AUDIT_MAX_ROWS_PER_USER: String(PER_USER) },
    });
    admin = await new ApiClient(srv.url).login('admin');
    manager = await new ApiClient(srv.url).login('manager');
    fulfillment = await new ApiClient(srv.url).login('fulfillment');
    doc = (await admin.get('/api/v1/workflow')).body;
    orders = (await admin.get('/api/v1/orders?per_page=5000')).body.orders;
  });
  after(async () => {
    await srv?.stop();
  });

  test('a permission refusal (403) is recorded with who, order, target, codes and source', async () => {
    // A transition whose roles leave out fulfillment, from an order fulfillment can see.
    const t = doc.transitions.find((x) => !x.roles.includes('fulfillment'));
    const order = orders.find((o) => o.status === t.from && fulfillment.user.stores.includes(o.store_id));
    used.add(order.id);
    const before = Date.now();
    const r = await fulfillment.put(
      `/api/v1/orders/${order.id}`,
      { status: t.to, lock_version: order.lock_version },
      { headers: { 'X-Orderflow-Source': 'ui' } },
    );
    assert.equal(r.status, 403);
    const [e] = await audit(`?order_id=${order.id}`);
    assert.equal(e.username, 'fulfillment');
    assert.equal(e.workflow, 'cms');
    assert.equal(e.order_id, order.id);
    assert.equal(e.target_status, t.to);
    assert.equal(e.http_status, 403);
    assert.equal(e.source, 'ui');
    assert.ok(e.codes.includes('forbidden') && r.body.errors.every((x) => e.codes.includes(x.code)), JSON.stringify(e.codes));
    assert.ok(Date.parse(e.at) >= before - 1000 && Date.parse(e.at) <= Date.now() + 1000);
  });

  test('an engine refusal (422) and a stale write (409) are recorded; bulk and POS refusals name their source', async () => {
    // A transition that requires a field, asked without it: the engine refuses on the merits.
    const t = doc.transitions.find((x) => (x.requires ?? []).length > 0 && x.roles.includes('admin'));
    const order = orders.find((o) => o.status === t.from && !used.has(o.id) && manager.user.stores.includes(o.store_id));
    used.add(order.id);
    const r422 = await admin.put(`/api/v1/orders/${order.id}`, { status: t.to, lock_version: order.lock_version });
    assert.equal(r422.status, 422);
    const r409 = await manager.put(`/api/v1/orders/${order.id}`, { status: t.to, lock_version: order.lock_version + 5 });
    assert.equal(r409.status, 409);
    const entries = await audit(`?order_id=${order.id}`);
    assert.deepEqual(
      entries.map((e) => [e.username, e.http_status, e.source]),
      [
        ['manager', 409, 'api'],
        ['admin', 422, 'api'],
      ],
    );
    assert.ok(entries[1].codes.includes(r422.body.errors[0].code));
    assert.deepEqual(entries[0].codes, ['conflict']);
    const byCode = await audit(`?code=${r422.body.errors[0].code}&username=admin`);
    assert.ok(
      byCode.some((e) => e.order_id === order.id) &&
        byCode.every((e) => e.username === 'admin' && e.codes.includes(r422.body.errors[0].code)),
    );

    const terminal = orders
      .filter((o) => doc.statuses.find((s) => s.id === o.status)?.terminal)
      .slice(0, 2)
      .map((o) => o.id);
    const bulk = await admin.post('/api/v1/orders/bulk_update', { order_ids: terminal, status: doc.initial });
    assert.equal(bulk.status, 200);
    assert.equal(bulk.body.failed, 2);
    const bulkRows = (await audit('?username=admin')).filter((e) => terminal.includes(e.order_id));
    assert.deepEqual(
      bulkRows.map((e) => e.source),
      ['bulk', 'bulk'],
    );
    const pos = await new ApiClient(srv.url).request('POST', '/api/v1/webhooks/pos', {
      body: { order_id: terminal[0], status: doc.initial },
      headers: { 'X-Webhook-Secret': 'demo-pos-secret' },
    });
    assert.equal(pos.status, 422);
    const [posRow] = await audit(`?username=pos&order_id=${terminal[0]}`);
    assert.equal(posRow.source, 'pos');
  });

  test('time filters, admin only, and an idempotent replay is not recorded twice', async () => {
    const all = await audit();
    assert.ok(all.length >= 4);
    assert.deepEqual(await audit(`?until=${encodeURIComponent(new Date(Date.parse(all.at(-1).at) - 60000).toISOString())}`), []);
    assert.equal((await audit(`?since=${encodeURIComponent(all[0].at)}`)).length >= 1, true);
    assert.equal((await manager.get('/api/v1/audit')).status, 403);
    assert.equal((await admin.get('/api/v1/audit?since=yesterday')).status, 400);
    const order = orders.find((o) => o.status === doc.initial && !used.has(o.id) && manager.user.stores.includes(o.store_id));
    used.add(order.id);
    const key = { headers: { 'Idempotency-Key': 'audit-replay-1' } };
    const a = await manager.put(`/api/v1/orders/${order.id}`, { status: doc.initial, lock_version: 999 }, key);
    const b = await manager.put(`/api/v1/orders/${order.id}`, { status: doc.initial, lock_version: 999 }, key);
    assert.equal(a.status, 409);
    assert.equal(b.headers.get('idempotent-replayed'), 'true');
    assert.equal((await audit(`?order_id=${order.id}&username=manager`)).length, 1);
  });

  test("an attempt on an order outside the user's stores is answered as missing but recorded as out_of_scope; a missing id is not recorded", async () => {
    const s3 = orders.find((o) => o.store_id === 's3' && o.status === doc.initial && !used.has(o.id));
    const missingId = 999999;
    used.add(s3.id);
    const body = { status: doc.statuses.find((x) => x.id !== doc.initial).id, lock_version: s3.lock_version };
    const mine = await manager.put(`/api/v1/orders/${s3.id}`, body);
    const missing = await manager.put(`/api/v1/orders/${missingId}`, body);
    assert.deepEqual([mine.status, mine.body], [missing.status, missing.body], 'the client cannot tell them apart');
    assert.equal(mine.status, 404);
    const bulk = await manager.post(
      '/api/v1/orders/bulk_update',
      { order_ids: [s3.id, missingId], status: body.status },
      { headers: { 'X-Orderflow-Source': 'ui' } },
    );
    assert.deepEqual(
      bulk.body.results.map((r) => r.status),
      [404, 404],
    );
    const entries = await audit(`?order_id=${s3.id}`);
    assert.deepEqual(
      entries.map((e) => [e.username, e.http_status, e.source, e.target_status]),
      [
        ['manager', 404, 'bulk', body.status],
        ['manager', 404, 'api', body.status],
      ],
    );
    assert.ok(
      entries.every((e) => e.codes.includes('out_of_scope') && e.codes.includes('not_found')),
      JSON.stringify(entries.map((e) => e.codes)),
    );
    assert.deepEqual(await audit(`?order_id=${missingId}`), [], 'a missing order is not an attempt on anything');
    assert.ok((await audit('?code=out_of_scope')).every((e) => e.order_id === s3.id));
  });

  test(`growth is bounded: one user keeps at most ${PER_USER} rows, all at most ${CAP}; the oldest roll off`, async () => {
    const order = orders.find((o) => o.status === doc.initial && manager.user.stores.includes(o.store_id));
    const flood = async (client) => {
      for (let i = 0; i < CAP * 2; i++) {
        const r = await client.put(`/api/v1/orders/${order.id}`, { status: doc.initial, lock_version: 1000 + i });
        assert.equal(r.status, 409);
      }
      await waitFor(async () => (await audit('?limit=1000')).filter((e) => e.username === client.user.username).length === PER_USER);
    };
    const others = (await audit('?limit=1000')).filter((e) => e.username === 'fulfillment');
    assert.ok(others.length > 0 && others.length + PER_USER <= CAP, `fulfillment's earlier refusals: ${others.length}`);
    await flood(manager);
    let entries = await audit('?limit=1000');
    const mine = entries.filter((e) => e.username === 'manager');
    assert.equal(mine.length, PER_USER, "manager's flood keeps only manager's newest rows");
    assert.ok(
      mine.every((e) => e.http_status === 409),
      'the newest are kept',
    );
    assert.deepEqual(
      entries.filter((e) => e.username === 'fulfillment').map((e) => e.id),
      others.map((e) => e.id),
      "another user's refusals did not roll off",
    );
    // Two users flooding fill the whole trail: then the oldest rows roll off, whoever made them.
    await flood(fulfillment);
    await waitFor(async () => (await rows()) <= CAP);
    entries = await audit('?limit=1000');
    assert.equal(entries.length, CAP);
    assert.equal(entries.filter((e) => e.username === 'fulfillment').length, PER_USER);
  });

  test('with no transport configured, notifications are held and shown as such', async () => {
    const t = doc.transitions.find(
      (x) =>
        doc.statuses.find((s) => s.id === x.to).notify &&
        (x.requires ?? []).length === 0 &&
        x.roles.includes('admin') &&
        !(x.guards ?? []).length,
    );
    const order = (await admin.get(`/api/v1/orders?status=${t.from}&per_page=5000`)).body.orders[0];
    const r = await admin.put(`/api/v1/orders/${order.id}`, { status: t.to, lock_version: order.lock_version });
    assert.equal(r.status, 200);
    const held = await waitFor(async () => {
      const l = await admin.get('/api/v1/notifications?state=held');
      return l.body.notifications.find((n) => n.state === 'held');
    });
    assert.deepEqual(
      held.deliveries.map((d) => d.channel),
      ['none'],
    );
    const h = await admin.get(`/api/v1/orders/${order.id}/history`);
    assert.deepEqual(h.body.history.at(-1).notification, { id: held.id, state: 'held' });
    assert.equal(h.body.history.at(-1).customer_notified, false);
    const retry = await admin.post(`/api/v1/notifications/${held.id}/retry`, {});
    assert.equal(retry.status, 409, 'nothing to send it with');
    assert.equal(retry.body.error.code, 'no_transport');
  });
});
