// The reference server under concurrency and over time: the 20-way race, idempotent replays,
// bulk updates, the POS webhook, the event stream, restarts, and an injected failure half-way
// through a transaction.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { openEventStream } from '../support/events.js';
import { startServer } from '../support/server.js';
import { ApiClient } from '../support/client.js';
import { withStoreDb, checkStore } from '../support/store-db.js';

process.env.ORDERFLOW_EXIT_WITH_PARENT = '1'; // servers started here never outlive this process

const dataDir = mkdtempSync(join(tmpdir(), 'orderflow-flow-'));
let srv;
let admin;
let manager;
let docs;
// The server's database, SQLite or PostgreSQL (ORDERFLOW_TEST_STORE): fn(db) with db.get/all(sql, ...args).
// (Every server of this file uses dataDir, so its database is the same one across restarts.)
let dbTarget;
const readDb = (fn) => withStoreDb(dbTarget, fn);
const normalizers = () => Object.fromEntries(Object.entries(docs).map(([k, d]) => [k, (s) => d.aliases?.[s]?.to ?? s]));
const statusesOf = () => Object.fromEntries(Object.entries(docs).map(([k, d]) => [k, d.statuses]));
const allInStock = (o) => o.items.every((i) => i.in_stock);
async function orders(client = admin, base = '/api/v1/orders') {
  const r = await client.get(`${base}?per_page=5000`);
  return base === '/api/v1/orders' ? r.body.orders : r.body.data;
}
const counts = (id) =>
  readDb(async (db) => ({
    history: (await db.get('SELECT COUNT(*) AS n FROM history WHERE order_id = ?', id)).n,
    notifications: (await db.get('SELECT COUNT(*) AS n FROM notification_items WHERE order_id = ?', id)).n,
    order: await db.get('SELECT status, lock_version FROM orders WHERE id = ?', id),
  }));

async function until(pred, ms = 3000) {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

before(async () => {
  srv = await startServer({
    dataDir,
    env: { ORDERFLOW_SSE_KEEPALIVE_MS: '200', ORDERFLOW_RATE_LIMIT: '400:800', ORDERFLOW_SEED_CMS_ORDERS: '600' },
  });
  dbTarget = { dataDir, databaseUrl: srv.databaseUrl };
  admin = await new ApiClient(srv.url).login('admin');
  manager = await new ApiClient(srv.url).login('manager');
  docs = { cms: (await admin.get('/api/v1/workflow')).body, delivery: (await admin.get('/api/workflow')).body };
});

after(async () => {
  if (srv) await srv.stop();
  const c = await checkStore(dbTarget, statusesOf(), normalizers());
  rmSync(dataDir, { recursive: true, force: true });
  assert.deepEqual(c.problems, [], 'database consistent after the suite');
});

describe('optimistic locking', () => {
  test('twenty racing updates on one order: one wins, nineteen 409, one history row', async () => {
    const o = (await orders()).find((x) => x.status === 'processing' && x.payment_status === 'paid' && x.store_id !== 's3');
    const before = await counts(o.id);
    const clients = await Promise.all(Array.from({ length: 4 }, (_, i) => new ApiClient(srv.url).login(i % 2 ? 'admin' : 'manager')));
    const targets = ['ready_for_pickup', 'completed', 'cancelled'];
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        clients[i % clients.length].put(`/api/v1/orders/${o.id}`, {
          status: targets[i % 3],
          notes: `racer ${i}`,
          lock_version: o.lock_version,
        }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, ...Array(19).fill(409)], JSON.stringify(results.filter((r) => r.status !== 409).map((r) => r.body)));
    const winner = results.find((r) => r.status === 200);
    for (const r of results.filter((x) => x.status === 409)) {
      assert.equal(r.body.order.lock_version, o.lock_version + 1);
      assert.equal(r.body.error.changed_by, winner.body.order.updated_by);
    }
    const after = await counts(o.id);
    assert.equal(after.history, before.history + 1);
    assert.equal(after.order.lock_version, o.lock_version + 1);
    assert.equal(after.order.status, winner.body.order.status);
  });
});

describe('idempotency keys', () => {
  test('a replayed PUT returns the first answer and applies nothing twice', async () => {
    const o = (await orders()).find((x) => x.status === 'new' && x.store_id === 's2' && allInStock(x));
    const before = await counts(o.id);
    const body = { status: 'cancelled', notes: 'customer asked', lock_version: o.lock_version };
    const headers = { 'Idempotency-Key': `cancel-${o.id}` };
    const first = await admin.put(`/api/v1/orders/${o.id}`, body, { headers });
    assert.equal(first.status, 200);
    const again = await admin.put(`/api/v1/orders/${o.id}`, body, { headers });
    assert.equal(again.status, 200);
    assert.deepEqual(again.body, first.body);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    const other = await admin.put(`/api/v1/orders/${o.id}`, { ...body, notes: 'different' }, { headers });
    assert.equal(other.status, 422);
    assert.equal(other.body.error.code, 'idempotency_key_reused');
    const byOtherUser = await manager.put(`/api/v1/orders/${o.id}`, body, { headers });
    assert.equal(byOtherUser.status, 409, 'the key is per user: the manager request runs and meets the new version');
    const after = await counts(o.id);
    assert.equal(after.history, before.history + 1);
    assert.equal(after.notifications, before.notifications + (docs.cms.statuses.find((s) => s.id === 'cancelled').notify ? 1 : 0));
  });

  test('a refusal is replayed as the same refusal', async () => {
    const o = (await orders()).find((x) => x.status === 'completed');
    const h = { headers: { 'Idempotency-Key': 'refused-once' } };
    const a = await admin.put(`/api/v1/orders/${o.id}`, { status: 'cancelled', lock_version: o.lock_version }, h);
    const b = await admin.put(`/api/v1/orders/${o.id}`, { status: 'cancelled', lock_version: o.lock_version }, h);
    assert.equal(a.status, 422);
    assert.deepEqual([b.status, b.body], [a.status, a.body]);
  });

  test('a replayed bulk update returns the first results', async () => {
    const ids = (await orders())
      .filter((x) => x.status === 'new' && x.store_id === 's3' && allInStock(x))
      .slice(0, 3)
      .map((x) => x.id);
    const h = { headers: { 'Idempotency-Key': 'bulk-1' } };
    const a = await admin.post('/api/v1/orders/bulk_update', { order_ids: ids, status: 'processing' }, h);
    assert.equal(a.status, 200);
    assert.equal(a.body.succeeded, ids.length);
    const b = await admin.post('/api/v1/orders/bulk_update', { order_ids: ids, status: 'processing' }, h);
    assert.deepEqual(b.body, a.body);
    for (const id of ids) assert.equal((await counts(id)).order.status, 'processing');
  });
});

describe('bulk_update', () => {
  test('per-order results, partial success, one batched notification', async () => {
    const all = await orders();
    const good = all.filter((x) => x.status === 'new' && allInStock(x) && x.store_id !== 's3').slice(0, 4);
    const short = all.find((x) => x.status === 'new' && !allInStock(x) && x.store_id !== 's3');
    const terminal = all.find((x) => x.status === 'cancelled' && x.store_id !== 's3');
    const otherStore = all.find((x) => x.status === 'new' && x.store_id === 's3');
    const deliveryId = (await orders(admin, '/api/orders'))[0].id;
    const ids = [...good.map((x) => x.id), short.id, terminal.id, otherStore.id, 999999, deliveryId];
    const notesBefore = (await readDb((db) => db.get('SELECT COUNT(*) AS n FROM notifications'))).n;
    const r = await manager.post('/api/v1/orders/bulk_update', { order_ids: ids, status: 'processing', notes: 'bulk' });
    assert.equal(r.status, 200);
    assert.equal(r.body.succeeded, good.length);
    assert.equal(r.body.failed, 5);
    assert.deepEqual(
      r.body.results.map((x) => x.id),
      ids,
      'results in request order',
    );
    const by = new Map(r.body.results.map((x) => [x.id, x]));
    for (const g of good) {
      assert.equal(by.get(g.id).ok, true);
      assert.equal(by.get(g.id).order.status, 'processing');
      assert.equal(by.get(g.id).order.lock_version, g.lock_version + 1);
    }
    assert.equal(by.get(short.id).status, 422);
    assert.ok(by.get(short.id).errors.some((e) => e.code === 'inventory_short'));
    assert.equal(by.get(terminal.id).status, 422);
    const { id: _a, ...hidden } = by.get(otherStore.id);
    const { id: _b, ...missing } = by.get(999999);
    assert.deepEqual(hidden, missing, "another store's order: the result of a missing id");
    assert.equal(by.get(999999).status, 404);
    assert.equal(by.get(deliveryId).status, 404, 'a delivery order is not found under the cms dialect');
    const batch = await readDb(async (db) => ({
      rows: (await db.get('SELECT COUNT(*) AS n FROM notifications')).n - notesBefore,
      items: (await db.all('SELECT order_id FROM notification_items WHERE notification_id = (SELECT MAX(id) FROM notifications)')).map(
        (x) => x.order_id,
      ),
      sources: (
        await db.all(`SELECT DISTINCT source FROM history WHERE order_id IN (${good.map((g) => g.id).join(',')}) AND lock_version > 0
                              AND to_status = 'processing' AND notes = 'bulk'`)
      ).map((x) => x.source),
    }));
    assert.equal(batch.rows, 1, 'one notification for the whole request');
    assert.deepEqual(batch.items.sort(), good.map((g) => g.id).sort());
    assert.deepEqual(batch.sources, ['bulk']);
  });

  test('limits and malformed bodies', async () => {
    // Above 500 ids a bulk runs as a job (tests/node/notify-jobs.test.js); above the job limit
    // (ORDERFLOW_BULK_JOB_MAX, default 20,000) it is refused.
    const many = Array.from({ length: 20001 }, (_, i) => i + 1);
    const cases = [
      [{ order_ids: many, status: 'cancelled' }, /at most 20000/],
      [{ order_ids: [], status: 'cancelled' }, /non-empty/],
      [{ order_ids: [1, 1], status: 'cancelled' }, /duplicates/],
      [{ order_ids: [1, '2'], status: 'cancelled' }, /positive integers/],
      [{ order_ids: [1, -2], status: 'cancelled' }, /positive integers/],
      [{ order_ids: 5, status: 'cancelled' }, /array/],
      [{ order_ids: [1], status: 'cancelled', force: true }, /"force"/],
      [{ order_ids: [1] }, /status/],
    ];
    for (const [body, re] of cases) {
      const r = await admin.post('/api/v1/orders/bulk_update', body);
      assert.equal(r.status, 400, JSON.stringify(body).slice(0, 80));
      assert.match(r.body.error.message, re);
    }
    // The bulk body limit fits the job maximum of the longest ids (16 digits, ", " between them):
    // 20,001 of them are still answered with the id limit, not 413; one byte more than
    // 64 KB + 18 bytes per id is 413 (web/server/limits.js bulkBodyLimit).
    const longIds = `{"status":"cancelled","order_ids":[${Array.from({ length: 20001 }, (_, i) => 1e15 + i).join(', ')}]}`;
    const long = await admin.request('POST', '/api/v1/orders/bulk_update', { raw: longIds });
    assert.equal(long.status, 400, long.text.slice(0, 200));
    assert.match(long.body.error.message, /at most 20000/);
    const limit = 64 * 1024 + 18 * 20000;
    const over = await admin.request('POST', '/api/v1/orders/bulk_update', {
      raw: `{"order_ids":[1],"status":"cancelled","notes":"${'x'.repeat(limit)}"}`,
    });
    assert.equal(over.status, 413);
    assert.match(over.body.error.message, new RegExp(`limit of ${limit} bytes`));
    const ok = await admin.post('/api/v1/orders/bulk_update', { order_ids: many.slice(0, 500), status: 'bogus' });
    assert.equal(ok.status, 200, '500 ids are accepted');
    assert.equal(ok.body.succeeded, 0);
    assert.ok(ok.body.results.every((x) => !x.ok && (x.status === 422 || x.status === 404)));
  });

  test('delivery bulk_update has the same shape', async () => {
    const ids = (await orders(admin, '/api/orders'))
      .filter((x) => x.status === 'pending' && x.items.every((i) => i.in_stock))
      .slice(0, 3)
      .map((x) => x.id);
    const r = await admin.post('/api/orders/bulk_update', { order_ids: [...ids, 5], status: 'confirmed' });
    assert.equal(r.status, 200);
    assert.equal(r.body.succeeded, ids.length);
    assert.equal(r.body.results.at(-1).status, 404);
  });
});

describe('POS webhook', () => {
  test('shared secret required; applies through the engine as source pos', async () => {
    const o = (await orders()).find((x) => x.status === 'ready_for_pickup' && x.payment_status === 'paid');
    const pos = new ApiClient(srv.url);
    const no = await pos.post('/api/v1/webhooks/pos', { order_id: o.id, status: 'completed' }, { auth: 'none' });
    assert.equal(no.status, 401);
    const wrong = await pos.post(
      '/api/v1/webhooks/pos',
      { order_id: o.id, status: 'completed' },
      { auth: 'none', headers: { 'X-Webhook-Secret': 'guess' } },
    );
    assert.equal(wrong.status, 401);
    const h = { auth: 'none', headers: { 'X-Webhook-Secret': 'demo-pos-secret' } };
    const ok = await pos.post('/api/v1/webhooks/pos', { order_id: o.id, status: 'completed', notes: 'paid at till 3' }, h);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.order.status, 'completed');
    assert.equal(ok.body.history_entry.source, 'pos');
    assert.equal(ok.body.history_entry.actor, 'pos');
    const again = await pos.post('/api/v1/webhooks/pos', { order_id: o.id, status: 'completed' }, h);
    assert.equal(again.status, 422);
    assert.ok(again.body.errors.some((e) => e.code === 'terminal_status'));
    const missing = await pos.post('/api/v1/webhooks/pos', { order_id: 999999, status: 'completed' }, h);
    assert.equal(missing.status, 404);
    const bad = await pos.post('/api/v1/webhooks/pos', { order_id: 'x', status: 'completed' }, h);
    assert.equal(bad.status, 400);
  });
});

describe('event stream', () => {
  test('announces PUT, bulk and webhook changes; keep-alive comments; refuses anonymous', async () => {
    const anon = await new ApiClient(srv.url).get('/api/v1/events');
    assert.equal(anon.status, 401);
    const sub = openEventStream(srv.url, { Cookie: admin.cookie });
    await sub.ready;
    assert.equal(sub.status, 200);
    assert.match(sub.headers['content-type'], /text\/event-stream/);
    const fsub = openEventStream(srv.url, {
      Authorization: `Bearer ${(await new ApiClient(srv.url).login('fulfillment')).token}`,
    });
    await fsub.ready;
    const all = await orders();
    const a = all.find((x) => x.status === 'new' && x.store_id === 's2' && allInStock(x));
    const put = await admin.put(`/api/v1/orders/${a.id}`, { status: 'processing', lock_version: a.lock_version });
    assert.equal(put.status, 200);
    const bulkIds = all
      .filter((x) => x.status === 'new' && x.store_id === 's1' && allInStock(x))
      .slice(0, 2)
      .map((x) => x.id);
    const bulk = await admin.post('/api/v1/orders/bulk_update', { order_ids: bulkIds, status: 'processing' });
    assert.equal(bulk.body.succeeded, 2, JSON.stringify(bulk.body.results.filter((x) => !x.ok)));
    const w = all.find((x) => x.status === 'processing' && x.payment_status === 'paid' && x.store_id === 's3');
    const hook = await new ApiClient(srv.url).post(
      '/api/v1/webhooks/pos',
      { order_id: w.id, status: 'ready_for_pickup' },
      { auth: 'none', headers: { 'X-Webhook-Secret': 'demo-pos-secret' } },
    );
    assert.equal(hook.status, 200, JSON.stringify(hook.body));
    assert.ok(await until(() => sub.events.length >= 4), `got ${JSON.stringify(sub.events)}`);
    const seen = sub.events;
    assert.deepEqual(
      seen.find((e) => e.id === a.id),
      {
        id: a.id,
        workflow: 'cms',
        status: 'processing',
        lock_version: a.lock_version + 1,
        updated_by: 'admin',
        updated_by_name: 'Ada Admin',
        source: 'api',
        store_id: 's2',
      },
    );
    for (const id of bulkIds) assert.equal(seen.find((e) => e.id === id).source, 'bulk');
    assert.equal(seen.find((e) => e.id === w.id).source, 'pos');
    assert.ok(sub.frames.every((f) => f.event === 'order'));
    assert.ok(await until(() => sub.comments.includes('keep-alive')), 'keep-alive comment');
    assert.ok(await until(() => fsub.events.length >= 2));
    assert.ok(
      fsub.events.every((e) => e.store_id === 's1'),
      'fulfillment (s1) only hears about its store',
    );
    assert.equal((await admin.get('/api/health')).body.event_streams, 2);
    sub.close();
    fsub.close();
    let health;
    const end = Date.now() + 3000;
    do {
      health = await admin.get('/api/health');
    } while (health.body.event_streams !== 0 && Date.now() < end && (await new Promise((r) => setTimeout(r, 20, true))));
    assert.equal(health.body.event_streams, 0, 'streams cleaned up when the clients left');
  });
});

describe('transactions and restarts', () => {
  test('an injected failure half-way through a change leaves no trace', async () => {
    const fresh = (await orders()).filter((x) => x.status === 'new' && allInStock(x));
    const o = fresh[0];
    const others = [fresh.find((x) => x.store_id !== o.store_id), fresh.findLast((x) => x.store_id !== o.store_id)];
    assert.ok(o && others[0] && others[0] !== others[1], 'seed has enough new orders');
    await srv.stop();
    srv = await startServer({ dataDir, env: { ORDERFLOW_TEST_FAIL_ORDER_IDS: String(o.id) } });
    admin = await new ApiClient(srv.url).login('admin');
    const snap = () =>
      readDb(async (db) => ({
        order: await db.get('SELECT * FROM orders WHERE id = ?', o.id),
        history: (await db.get('SELECT COUNT(*) AS n FROM history')).n,
        inventory: await db.all('SELECT * FROM inventory ORDER BY store_id, sku'),
        notifications: await db.get('SELECT (SELECT COUNT(*) FROM notifications) AS a, (SELECT COUNT(*) FROM notification_items) AS b'),
      }));
    const before = await snap();
    const r = await admin.put(`/api/v1/orders/${o.id}`, { status: 'processing', notes: 'boom', lock_version: o.lock_version });
    assert.equal(r.status, 500);
    assert.equal(r.body.error.code, 'internal');
    assert.deepEqual(await snap(), before, 'status, history, inventory and notifications untouched');
    const b = await admin.post('/api/v1/orders/bulk_update', { order_ids: [others[0].id, o.id, others[1].id], status: 'processing' });
    assert.equal(b.status, 200);
    assert.deepEqual(
      b.body.results.map((x) => x.ok),
      [true, false, true],
    );
    assert.equal(b.body.results[1].status, 500);
    const mid = await snap();
    assert.deepEqual(mid.order, before.order, 'the failing order is untouched');
    assert.equal(mid.history, before.history + 2, 'the other two committed');
    assert.equal(mid.notifications.a, before.notifications.a + 1, 'one batched notification');
    assert.equal(mid.notifications.b, before.notifications.b + 2);
  });

  test('restart keeps every order, history row, session and the seed is not repeated', async () => {
    const everything = () =>
      readDb(async (db) => ({
        ...(await db.get(
          'SELECT (SELECT COUNT(*) FROM orders) AS o, (SELECT COUNT(*) FROM history) AS h, (SELECT COUNT(*) FROM users) AS u',
        )),
        s: (await db.all('SELECT status, lock_version FROM orders ORDER BY id')).map((r) => `${r.status}:${r.lock_version}`).join(','),
      }));
    const before = await everything();
    const token = admin.token;
    await srv.stop();
    srv = await startServer({ dataDir });
    const after = await everything();
    assert.deepEqual(after, before);
    const c = new ApiClient(srv.url);
    c.token = token;
    assert.equal((await c.get('/api/auth/me')).status, 200, 'sessions survive a restart');
    admin = await new ApiClient(srv.url).login('admin');
  });

  test('SIGTERM closes cleanly with open event streams', async () => {
    const sub = openEventStream(srv.url, { Authorization: `Bearer ${admin.token}` });
    await sub.ready;
    const t0 = Date.now();
    await srv.stop();
    assert.equal(srv.process.exitCode, 0);
    assert.ok(Date.now() - t0 < 2500, `closed in ${Date.now() - t0} ms`);
    srv = null;
  });
});
