// The reference server's endpoints and error bodies, both dialects, over real HTTP on 127.0.0.1.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import http from 'node:http';
import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import Database from 'better-sqlite3';
import { startServer } from '../support/server.js';
import { storeDb, withStoreDb, checkStore } from '../support/store-db.js';
import { ApiClient } from '../support/client.js';

process.env.ORDERFLOW_EXIT_WITH_PARENT = '1'; // servers started here never outlive this process

let srv;
let admin;
let cmsDoc;
let delDoc;
const as = {};
// Reads (or, with writable, writes) the server's database, SQLite or PostgreSQL (ORDERFLOW_TEST_STORE).
const readDb = (fn, options) => withStoreDb(srv, fn, options);
const normalizer = (doc) => (s) => doc.aliases?.[s]?.to ?? s;

async function allOrders(client, base) {
  const r = await client.get(`${base}?per_page=5000`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return base === '/api/v1/orders' ? r.body.orders : r.body.data;
}
// A cms order matching pred (fresh read), or fail.
async function findOrder(pred, base = '/api/v1/orders', client = admin) {
  const o = (await allOrders(client, base)).find(pred);
  assert.ok(o, 'no seeded order matches the scenario');
  return o;
}
const allInStock = (o) => o.items.every((i) => i.in_stock);

before(async () => {
  // This file tests routes and bodies with one admin client reading whole lists (charged by size)
  // many times a second; the default bucket (50/s, burst 100) would answer it 429 part-way. The
  // limiter itself, with the default and a tiny bucket, is tested below ('rate limit') and in
  // server-flood.test.js / notify-jobs-limits.test.js.
  srv = await startServer({ env: { ORDERFLOW_RATE_LIMIT: '400:800' } });
  admin = await new ApiClient(srv.url).login('admin');
  for (const u of ['manager', 'fulfillment', 'reporting', 'driver']) as[u] = await new ApiClient(srv.url).login(u);
  cmsDoc = (await admin.get('/api/v1/workflow')).body;
  delDoc = (await admin.get('/api/workflow')).body;
});

after(async () => {
  if (srv) {
    const c = await checkStore(
      srv,
      { cms: cmsDoc.statuses, delivery: delDoc.statuses },
      { cms: normalizer(cmsDoc), delivery: normalizer(delDoc) },
    );
    await srv.stop();
    assert.deepEqual(c.problems, [], 'database consistent after the suite');
  }
});

describe('authentication', () => {
  test('wrong or unknown credentials get 401 with the documented body', async () => {
    const c = new ApiClient(srv.url);
    for (const body of [
      { username: 'admin', password: 'nope' },
      { username: 'ghost', password: 'demo' },
    ]) {
      const r = await c.post('/api/auth/login', body, { auth: 'none' });
      assert.equal(r.status, 401);
      assert.deepEqual(r.body, { success: false, message: 'Invalid username or password' });
    }
  });

  test('login answers token, csrf_token, user and sets an HttpOnly SameSite=Strict cookie', async () => {
    const r = await new ApiClient(srv.url).post('/api/auth/login', { username: 'manager', password: 'demo' }, { auth: 'none' });
    assert.equal(r.status, 200);
    assert.equal(r.body.success, true);
    assert.match(r.body.token, /^[\w-]{20,}$/);
    assert.match(r.body.csrf_token, /^[\w-]{20,}$/);
    assert.deepEqual(r.body.user, {
      username: 'manager',
      display_name: r.body.user.display_name,
      roles: { cms: 'store_manager', delivery: 'manager' },
      stores: ['s1', 's2'],
    });
    const cookie = r.headers.get('set-cookie');
    assert.match(cookie, /^orderflow_session=[\w-]+;/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
  });

  test('me works with bearer and with cookie; 401 without', async () => {
    const b = await admin.get('/api/auth/me');
    assert.equal(b.status, 200);
    assert.equal(b.body.user.username, 'admin');
    const c = await admin.get('/api/auth/me', { auth: 'cookie' });
    assert.equal(c.status, 200);
    assert.equal(c.body.csrf_token, admin.csrf);
    const n = await admin.get('/api/auth/me', { auth: 'none' });
    assert.equal(n.status, 401);
    const bad = await admin.get('/api/auth/me', { auth: 'none', headers: { Authorization: 'Bearer not-a-token' } });
    assert.equal(bad.status, 401);
    assert.match(bad.body.message, /invalid|expired/i);
  });

  test('demo_users lists the five demo users', async () => {
    const r = await new ApiClient(srv.url).get('/api/auth/demo_users');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.users.map((u) => u.username).sort(), ['admin', 'driver', 'fulfillment', 'manager', 'reporting']);
    assert.ok(r.body.users.every((u) => !('password_hash' in u)));
  });

  test('cookie mutations need X-CSRF-Token; bearer ones do not', async () => {
    const o = await findOrder((x) => x.status === 'new' && x.store_id === 's1' && allInStock(x));
    const body = { status: 'processing', lock_version: o.lock_version };
    const no = await admin.put(`/api/v1/orders/${o.id}`, body, { auth: 'cookie', csrf: false });
    assert.equal(no.status, 403);
    assert.equal(no.body.error.code, 'csrf');
    const wrong = await admin.put(`/api/v1/orders/${o.id}`, body, {
      auth: 'cookie',
      csrf: false,
      headers: { 'X-CSRF-Token': 'x'.repeat(32) },
    });
    assert.equal(wrong.status, 403);
    const del = await admin.put('/api/orders/300/status', { status: 'cancelled' }, { auth: 'cookie', csrf: false });
    assert.equal(del.status, 403);
    assert.equal(del.body.success, false);
    assert.equal((await admin.get(`/api/v1/orders/${o.id}`)).body.order.lock_version, o.lock_version, 'nothing changed');
    const ok = await admin.put(`/api/v1/orders/${o.id}`, body, { auth: 'cookie' });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.order.status, 'processing');
    assert.equal(ok.body.history_entry.actor, 'admin');
  });

  test('logout ends the session', async () => {
    const c = await new ApiClient(srv.url).login('reporting');
    assert.equal((await c.post('/api/auth/logout', {})).status, 200);
    assert.equal((await c.get('/api/auth/me')).status, 401);
  });
});

describe('shared endpoints', () => {
  test('workflows are the engine documents; stores are the three demo stores', async () => {
    assert.equal(cmsDoc.id, 'cms');
    assert.equal(delDoc.id, 'delivery');
    assert.ok(Array.isArray(cmsDoc.statuses) && cmsDoc.statuses.length >= 5);
    const s = await new ApiClient(srv.url).get('/api/stores');
    assert.deepEqual(s.body, {
      success: true,
      stores: [
        { id: 's1', name: 'Downtown' },
        { id: 's2', name: 'Uptown' },
        { id: 's3', name: 'Airport' },
      ],
    });
  });

  test('stores of a workflow: only those the user may see there (role scope from the workflow)', async () => {
    const ids = async (client, wf) => (await client.get(`/api/stores?workflow=${wf}`)).body.stores?.map((x) => x.id);
    assert.deepEqual(await ids(as.manager, 'cms'), ['s1', 's2'], 'store_manager: assigned stores');
    assert.deepEqual(await ids(as.fulfillment, 'cms'), ['s1']);
    assert.deepEqual(await ids(admin, 'cms'), ['s1', 's2', 's3'], 'admin: all stores');
    assert.deepEqual(await ids(as.driver, 'cms'), [], 'no role in cms: no store');
    assert.equal((await new ApiClient(srv.url).get('/api/stores?workflow=cms')).status, 401);
    const bad = await admin.get('/api/stores?workflow=nope');
    assert.equal(bad.status, 400);
    assert.match(bad.body.message ?? bad.body.error?.message, /Unknown workflow "nope"/);
  });

  test('demo data: every status of both workflows, all payment states, stock shortages', async () => {
    const cms = await allOrders(admin, '/api/v1/orders');
    const del = await allOrders(admin, '/api/orders');
    assert.ok(cms.length >= 200, `${cms.length} cms orders`);
    assert.ok(del.length >= 60, `${del.length} delivery orders`);
    assert.deepEqual([...new Set(cms.map((o) => o.status))].sort(), cmsDoc.statuses.map((s) => s.id).sort());
    assert.deepEqual([...new Set(del.map((o) => o.status))].sort(), delDoc.statuses.map((s) => s.id).sort());
    assert.deepEqual([...new Set(cms.map((o) => o.store_id))].sort(), ['s1', 's2', 's3']);
    assert.deepEqual([...new Set(cms.map((o) => o.payment_status))].sort(), ['failed', 'paid', 'pending']);
    assert.ok(
      cms.some((o) => o.status === 'new' && !allInStock(o)),
      'some new orders are short of stock',
    );
    assert.ok(
      del.some((o) => o.stored_status && o.stored_status !== o.status),
      'some delivery orders are stored with legacy values',
    );
    const ids = new Set([...cms, ...del].map((o) => o.id));
    assert.equal(ids.size, cms.length + del.length, 'ids unique across both workflows');
  });

  test('unknown API route 404, wrong method 405 with Allow', async () => {
    const r = await admin.get('/api/v1/nothing');
    assert.equal(r.status, 404);
    const m = await admin.request('DELETE', '/api/v1/orders/1');
    assert.equal(m.status, 405);
    assert.match(m.headers.get('allow'), /GET/);
  });

  test('security headers on API and static answers; "/" explains when the UI is not built', async () => {
    for (const path of ['/api/health', '/']) {
      const r = await fetch(srv.url + path);
      const csp = r.headers.get('content-security-policy');
      assert.match(csp, /default-src 'self'/);
      assert.match(csp, /'wasm-unsafe-eval'/);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
      assert.ok(r.headers.get('x-frame-options'));
      await r.text();
    }
    const root = await fetch(srv.url + '/');
    assert.equal(root.status, 200);
    assert.match(root.headers.get('content-type'), /text\/html/);
    const html = await root.text();
    assert.ok(/<html/i.test(html));
  });

  test('no directory traversal out of web/dist', async () => {
    for (const p of ['/../package.json', '/%2e%2e/package.json', '/..%2fpackage.json', '/assets/..%2f..%2fpackage.json', '/%00']) {
      const status = await new Promise((resolve, reject) => {
        const u = new URL(srv.url);
        http
          .get({ host: u.hostname, port: u.port, path: p }, (res) => {
            res.resume();
            resolve(res.statusCode);
          })
          .on('error', reject);
      });
      assert.ok(status === 400 || status === 404, `${p} -> ${status}`);
    }
  });
});

describe('static files', () => {
  test('content types, SPA fallback, no escape through .. or symlinks', async () => {
    const root = mkdtempSync(join(tmpdir(), 'orderflow-static-'));
    const outside = mkdtempSync(join(tmpdir(), 'orderflow-outside-'));
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>ui</title>');
    writeFileSync(join(root, 'assets', 'app-1.js'), 'export {};');
    writeFileSync(join(root, 'assets', 'app.css'), 'body{}');
    writeFileSync(join(root, 'assets', 'engine-1.wasm'), Buffer.from([0, 97, 115, 109, 1, 0, 0, 0]));
    writeFileSync(join(outside, 'secret.txt'), 'secret');
    symlinkSync(join(outside, 'secret.txt'), join(root, 'leak.txt'));
    const s = await startServer({ env: { ORDERFLOW_STATIC_DIR: root } });
    try {
      const get = async (p) => {
        const r = await fetch(s.url + p);
        return {
          status: r.status,
          type: r.headers.get('content-type'),
          cache: r.headers.get('cache-control'),
          csp: r.headers.get('content-security-policy'),
          body: Buffer.from(await r.arrayBuffer()),
        };
      };
      const wasm = await get('/assets/engine-1.wasm');
      assert.equal(wasm.status, 200);
      assert.equal(wasm.type, 'application/wasm');
      assert.deepEqual([...wasm.body], [0, 97, 115, 109, 1, 0, 0, 0]);
      assert.match(wasm.cache, /immutable/);
      assert.match((await get('/assets/app-1.js')).type, /^text\/javascript/);
      assert.match((await get('/assets/app.css')).type, /^text\/css/);
      const index = await get('/');
      assert.match(index.type, /^text\/html/);
      assert.match(index.csp, /'wasm-unsafe-eval'/);
      assert.equal(index.body.toString(), '<!doctype html><title>ui</title>');
      assert.equal((await get('/orders/17')).body.toString(), index.body.toString(), 'client-side routes get index.html');
      assert.equal((await get('/assets/missing.js')).status, 404);
      assert.equal((await get('/leak.txt')).status, 404, 'a symlink out of the root is not followed');
      const head = await fetch(s.url + '/assets/app-1.js', { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal((await fetch(s.url + '/', { method: 'POST' })).status, 405);
    } finally {
      await s.stop();
      rmSync(root, { recursive: true, force: true });
      rmSync(outside, { recursive: true, force: true });
    }
  });
});

describe('cms dialect', () => {
  test('list: paging, filters, visibility per user', async () => {
    const r = await admin.get('/api/v1/orders');
    assert.equal(r.status, 200);
    assert.equal(r.body.page, 1);
    assert.equal(r.body.per_page, 50);
    assert.equal(r.body.orders.length, 50);
    assert.ok(r.body.total >= 200);
    const p2 = await admin.get('/api/v1/orders?page=2&per_page=10');
    assert.equal(p2.body.orders.length, 10);
    assert.equal(p2.body.orders[0].id, r.body.orders[10].id);
    const f = await admin.get('/api/v1/orders?store_id=s3&status=completed&per_page=5000');
    assert.ok(f.body.orders.length > 0);
    assert.ok(f.body.orders.every((o) => o.store_id === 's3' && o.status === 'completed'));
    assert.equal(f.body.total, f.body.orders.length);
    const m = await allOrders(as.manager, '/api/v1/orders');
    assert.deepEqual([...new Set(m.map((o) => o.store_id))].sort(), ['s1', 's2']);
    const fs2 = await as.fulfillment.get('/api/v1/orders?store_id=s2');
    assert.equal(fs2.status, 403);
    assert.equal(fs2.body.error.code, 'forbidden');
    const rep = await allOrders(as.reporting, '/api/v1/orders');
    assert.equal(rep.length, r.body.total, 'reporting sees all stores');
    const drv = await as.driver.get('/api/v1/orders');
    assert.equal(drv.status, 403);
    for (const [q, re] of [
      ['per_page=5001', /per_page/],
      ['page=0', /page/],
      ['status=bogus', /./],
      ['store_id=s9', /store_id/],
    ]) {
      const b = await admin.get(`/api/v1/orders?${q}`);
      assert.equal(b.status, 400, q);
      assert.equal(b.body.error.code, 'bad_request');
      assert.match(b.body.error.message, re);
    }
  });

  test('get, history (oldest first), allowed_statuses', async () => {
    const o = await findOrder((x) => x.status === 'processing');
    const g = await admin.get(`/api/v1/orders/${o.id}`);
    assert.equal(g.status, 200);
    assert.deepEqual(g.body.order, o);
    const h = await admin.get(`/api/v1/orders/${o.id}/history`);
    assert.equal(h.status, 200);
    assert.equal(h.body.history.length, o.lock_version + 1);
    assert.equal(h.body.history[0].from_status, null);
    assert.equal(h.body.history.at(-1).to_status, 'processing');
    for (let i = 1; i < h.body.history.length; i++) {
      assert.equal(h.body.history[i].from_status, h.body.history[i - 1].to_status);
      assert.ok(h.body.history[i].at >= h.body.history[i - 1].at);
    }
    const a = await admin.get(`/api/v1/orders/${o.id}/allowed_statuses`);
    assert.equal(a.status, 200);
    assert.equal(a.body.current, 'processing');
    assert.ok(a.body.allowed.length > 0);
    assert.ok(a.body.allowed.every((x) => typeof x.id === 'string' && typeof x.label === 'string' && typeof x.color === 'string'));
    const n = await findOrder((x) => x.status === 'new');
    const an = await admin.get(`/api/v1/orders/${n.id}/allowed_statuses`);
    const rej = an.body.allowed.find((x) => x.id === 'rejected');
    assert.deepEqual(rej.requires, ['rejection_reason']);
    const ar = await as.reporting.get(`/api/v1/orders/${n.id}/allowed_statuses`);
    assert.deepEqual(ar.body.allowed, [], 'read-only role may pick nothing');
    // a change a guard refuses for this order is listed, blocked with the refusal a PUT then gets
    const short = await findOrder((x) => x.status === 'new' && x.items.some((i) => i.in_stock === false));
    const offered = (await admin.get(`/api/v1/orders/${short.id}/allowed_statuses`)).body.allowed;
    const processing = offered.find((x) => x.id === 'processing');
    assert.equal(processing.blocked.code, 'inventory_short');
    assert.deepEqual(
      offered.filter((x) => x.blocked).map((x) => x.id),
      ['processing'],
    );
    const put = await admin.put(`/api/v1/orders/${short.id}`, { status: 'processing', lock_version: short.lock_version });
    assert.equal(put.status, 422);
    assert.deepEqual(put.body.errors, [processing.blocked]);
  });

  test('404 and malformed ids', async () => {
    const r = await admin.get('/api/v1/orders/999999');
    assert.equal(r.status, 404);
    assert.deepEqual(r.body, { error: { code: 'not_found', message: 'Order not found' } });
    const d = await admin.get('/api/v1/orders/300'); // a delivery order under the cms dialect
    assert.equal(d.status, 404);
    for (const id of ['0', '-1', 'abc', '1.5', '1e3', '99999999999999999999', '%20']) {
      const b = await admin.get(`/api/v1/orders/${id}`);
      assert.equal(b.status, 400, id);
      assert.match(b.body.error.message, /positive integer/);
      const p = await admin.put(`/api/v1/orders/${id}`, { status: 'processing', lock_version: 0 });
      assert.equal(p.status, 400, id);
    }
  });

  test('PUT applies the change with history, inventory reservation and a notification', async () => {
    const o = await findOrder((x) => x.status === 'new' && x.store_id === 's2' && allInStock(x));
    const before = await readDb(async (db) => ({
      inv: Object.fromEntries(
        await Promise.all(
          o.items.map(async (i) => [
            i.sku,
            (await db.get('SELECT reserved FROM inventory WHERE store_id = ? AND sku = ?', o.store_id, i.sku)).reserved,
          ]),
        ),
      ),
      notes: (await db.get('SELECT COUNT(*) AS n FROM notification_items WHERE order_id = ?', o.id)).n,
    }));
    const r = await admin.put(`/api/v1/orders/${o.id}`, { status: 'processing', notes: 'Packing now', lock_version: o.lock_version });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.order.status, 'processing');
    assert.equal(r.body.order.lock_version, o.lock_version + 1);
    assert.equal(r.body.order.updated_by, 'admin');
    assert.deepEqual(
      { ...r.body.history_entry, id: 0, at: '' },
      {
        id: 0,
        at: '',
        order_id: o.id,
        lock_version: o.lock_version + 1,
        from_status: 'new',
        to_status: 'processing',
        actor: 'admin',
        actor_name: 'Ada Admin',
        notes: 'Packing now',
        fields: {},
        source: 'api',
      },
    );
    const after = await readDb(async (db) => ({
      inv: Object.fromEntries(
        await Promise.all(
          o.items.map(async (i) => [
            i.sku,
            (await db.get('SELECT reserved FROM inventory WHERE store_id = ? AND sku = ?', o.store_id, i.sku)).reserved,
          ]),
        ),
      ),
      notes: (await db.get('SELECT COUNT(*) AS n FROM notification_items WHERE order_id = ?', o.id)).n,
    }));
    for (const it of o.items) assert.equal(after.inv[it.sku], before.inv[it.sku] + it.quantity, `${it.sku} reserved`);
    const notifies = cmsDoc.statuses.find((s) => s.id === 'processing').notify;
    assert.equal(after.notes, before.notes + (notifies ? 1 : 0));
    assert.ok(
      r.body.order.items.every((i) => i.in_stock),
      'own reservation counts as in stock',
    );
  });

  test('required field: rejection needs rejection_reason, recorded in history', async () => {
    const o = await findOrder((x) => x.status === 'new' && x.store_id === 's1');
    const r = await as.manager.put(`/api/v1/orders/${o.id}`, { status: 'rejected', lock_version: o.lock_version });
    assert.equal(r.status, 422);
    assert.equal(r.body.error.code, 'refused');
    assert.ok(r.body.errors.some((e) => e.code === 'missing_field' && e.field === 'rejection_reason'));
    assert.equal(r.body.error.message, r.body.errors[0].message);
    const ok = await as.manager.put(`/api/v1/orders/${o.id}`, {
      status: 'rejected',
      fields: { rejection_reason: 'Duplicate order' },
      lock_version: o.lock_version,
    });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.deepEqual(ok.body.history_entry.fields, { rejection_reason: 'Duplicate order' });
    assert.equal(ok.body.history_entry.actor, 'manager');
  });

  test('permission refusals are 403 with the engine errors', async () => {
    const o = await findOrder((x) => x.status === 'new' && x.store_id === 's1' && allInStock(x));
    const rep = await as.reporting.put(`/api/v1/orders/${o.id}`, { status: 'processing', lock_version: o.lock_version });
    assert.equal(rep.status, 403);
    assert.equal(rep.body.error.code, 'forbidden');
    assert.ok(rep.body.errors.some((e) => e.code === 'read_only'));
    const ful = await as.fulfillment.put(`/api/v1/orders/${o.id}`, { status: 'cancelled', lock_version: o.lock_version });
    assert.equal(ful.status, 403);
    assert.ok(ful.body.errors.some((e) => e.code === 'forbidden_role'));
    const s3 = await findOrder((x) => x.status === 'new' && x.store_id === 's3');
    const man = await as.manager.put(`/api/v1/orders/${s3.id}`, { status: 'cancelled', lock_version: s3.lock_version });
    assert.equal(man.status, 404, "another store's order is answered as a missing one");
    assert.deepEqual(man.body, { error: { code: 'not_found', message: 'Order not found' } });
    const drv = await as.driver.put(`/api/v1/orders/${o.id}`, { status: 'processing', lock_version: o.lock_version });
    assert.equal(drv.status, 403, JSON.stringify(drv.body));
    assert.match(drv.body.error.message, /no role in the .* workflow/, "a person-readable reason, not the engine's invalid_actor");
    const drvBulk = await as.driver.post('/api/v1/orders/bulk_update', { order_ids: [o.id], status: 'processing' });
    assert.equal(drvBulk.status, 403, JSON.stringify(drvBulk.body));
    assert.match(drvBulk.body.error.message, /no role in the .* workflow/);
    const staleElsewhere = await as.manager.put(`/api/v1/orders/${s3.id}`, { status: 'cancelled', lock_version: s3.lock_version + 3 });
    assert.equal(staleElsewhere.status, 404, 'a stale write to an unseen store is not answered with the order');
    assert.deepEqual(staleElsewhere.body, man.body);
    assert.equal((await admin.get(`/api/v1/orders/${o.id}`)).body.order.lock_version, o.lock_version);
  });

  test('refusals on the merits are 422: payment, inventory, terminal, unknown status, invalid transition', async () => {
    const unpaid = await findOrder((x) => x.status === 'processing' && x.payment_status !== 'paid');
    const p = await admin.put(`/api/v1/orders/${unpaid.id}`, { status: 'completed', lock_version: unpaid.lock_version });
    assert.equal(p.status, 422);
    assert.ok(p.body.errors.some((e) => e.code === 'payment_required'));
    const short = await findOrder((x) => x.status === 'new' && !allInStock(x));
    const i = await admin.put(`/api/v1/orders/${short.id}`, { status: 'processing', lock_version: short.lock_version });
    assert.equal(i.status, 422);
    assert.ok(i.body.errors.some((e) => e.code === 'inventory_short'));
    const done = await findOrder((x) => x.status === 'completed');
    const t = await admin.put(`/api/v1/orders/${done.id}`, { status: 'cancelled', lock_version: done.lock_version });
    assert.equal(t.status, 422);
    assert.ok(t.body.errors.some((e) => e.code === 'terminal_status'));
    const nw = await findOrder((x) => x.status === 'new');
    const u = await admin.put(`/api/v1/orders/${nw.id}`, { status: 'shipped', lock_version: nw.lock_version });
    assert.equal(u.status, 422);
    assert.equal(u.body.errors[0].code, 'unknown_status');
    const it = await admin.put(`/api/v1/orders/${nw.id}`, { status: 'completed', lock_version: nw.lock_version });
    assert.equal(it.status, 422);
    assert.ok(it.body.errors.some((e) => e.code === 'invalid_transition'));
    for (const x of [unpaid, short, done, nw]) {
      assert.equal((await admin.get(`/api/v1/orders/${x.id}`)).body.order.lock_version, x.lock_version, 'unchanged');
    }
  });

  test('stale lock_version: 409 with the current order and who changed it', async () => {
    const o = await findOrder((x) => x.status === 'processing' && x.store_id === 's1');
    const first = await as.manager.put(`/api/v1/orders/${o.id}`, { status: 'ready_for_pickup', lock_version: o.lock_version });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const stale = await admin.put(`/api/v1/orders/${o.id}`, { status: 'cancelled', lock_version: o.lock_version });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.error.code, 'conflict');
    assert.equal(stale.body.error.changed_by, 'manager');
    assert.equal(stale.body.error.changed_at, first.body.order.updated_at);
    assert.deepEqual(stale.body.order, first.body.order);
    // staff read it: plain words, no field name
    assert.equal(stale.body.error.message, 'This order was changed by manager since you loaded it: reload it and try again.');
  });
});

describe('delivery dialect: the quick reference bodies word for word', () => {
  const validStatuses = () => delDoc.statuses.map((s) => s.id);

  test('list and get', async () => {
    const r = await admin.get('/api/orders?per_page=5');
    assert.equal(r.status, 200);
    assert.equal(r.body.success, true);
    assert.equal(r.body.data.length, 5);
    assert.ok(r.body.total >= 60);
    assert.ok(r.body.data.every((o) => o.workflow === 'delivery'));
    const g = await admin.get(`/api/orders/${r.body.data[0].id}`);
    assert.deepEqual(g.body, { success: true, data: r.body.data[0] });
    const f = await admin.get('/api/orders?status=in_transit&per_page=5000');
    assert.ok(f.body.data.length > 0 && f.body.data.every((o) => o.status === 'in_transit'));
    assert.ok(
      f.body.data.some((o) => o.stored_status === 'shipped'),
      'legacy stored values are read as current ones',
    );
    const bad = await admin.get('/api/orders?status=bogus');
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body.validStatuses, validStatuses());
  });

  test('400 invalid status (unknown and legacy targets) with validStatuses', async () => {
    const o = await findOrder((x) => x.status === 'pending', '/api/orders');
    for (const status of ['shipped', 'processing', 'refunded', 'bogus']) {
      const r = await admin.put(`/api/orders/${o.id}/status`, { status, tracking_number: null });
      assert.equal(r.status, 400, status);
      assert.deepEqual(r.body, {
        success: false,
        message: 'Invalid status value. Must be one of: pending, confirmed, assigned, in_transit, delivered, cancelled',
        validStatuses: validStatuses(),
      });
    }
  });

  test('404 Order not found (also for a cms id and a missing id)', async () => {
    for (const id of [999999, 1]) {
      const r = await admin.put(`/api/orders/${id}/status`, { status: 'confirmed' });
      assert.equal(r.status, 404);
      assert.deepEqual(r.body, { success: false, message: 'Order not found' });
    }
    const g = await admin.get('/api/orders/999999');
    assert.deepEqual(g.body, { success: false, message: 'Order not found' });
  });

  test("an order outside the user's stores is answered exactly as a missing one (both dialects, every route)", async () => {
    const s3 = await findOrder((x) => x.status === 'pending' && x.store_id === 's3', '/api/orders');
    const same = async (client, path, method = 'GET', body = undefined) => {
      const mine = await client.request(method, path.replace('ID', s3.id), { body });
      const missing = await client.request(method, path.replace('ID', '999999'), { body });
      assert.deepEqual([mine.status, mine.body], [missing.status, missing.body], `${method} ${path}`);
      assert.equal(mine.status, 404, `${method} ${path}`);
      return mine;
    };
    // the driver is limited to store s1 for this test (the demo driver sees every store)
    const db = await storeDb(srv, { readonly: false });
    try {
      await db.run('UPDATE users SET stores = ? WHERE username = ?', JSON.stringify(['s1']), 'driver');
      for (const path of ['/api/orders/ID', '/api/orders/ID/history', '/api/orders/ID/allowed_statuses']) await same(as.driver, path);
      for (const status of ['in_transit', 'delivered', 'cancelled', 'bogus']) {
        const r = await same(as.driver, '/api/orders/ID/status', 'PUT', { status });
        assert.deepEqual(r.body, { success: false, message: 'Order not found' });
      }
      const bulk = await as.driver.post('/api/orders/bulk_update', { order_ids: [s3.id, 999999], status: 'in_transit' });
      const [mine, missing] = bulk.body.results.map(({ id, ...rest }) => rest);
      assert.deepEqual(mine, missing);
      assert.equal(mine.status, 404);
    } finally {
      await db.run('UPDATE users SET stores = ? WHERE username = ?', JSON.stringify(['s1', 's2', 's3']), 'driver');
      await db.close();
    }
    assert.equal((await admin.get(`/api/orders/${s3.id}`)).body.data.lock_version, s3.lock_version, 'nothing changed');
  });

  test('403 Not authorized to update order status', async () => {
    const o = await findOrder((x) => x.status === 'pending', '/api/orders');
    for (const c of [as.driver, as.fulfillment, as.reporting]) {
      const r = await c.put(`/api/orders/${o.id}/status`, { status: 'confirmed' });
      assert.equal(r.status, 403, c.user.username);
      assert.deepEqual(r.body, { success: false, message: 'Not authorized to update order status' });
    }
  });

  test('200 Order status updated; tracking_number stored; driver moves assigned orders', async () => {
    const o = await findOrder((x) => x.status === 'pending' && allInStock(x), '/api/orders');
    const r = await admin.put(`/api/orders/${o.id}/status`, { status: 'confirmed', tracking_number: null });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.success, true);
    assert.equal(r.body.message, 'Order status updated');
    assert.equal(r.body.data.status, 'confirmed');
    const a = await findOrder((x) => x.status === 'assigned', '/api/orders');
    const t = await as.driver.put(`/api/orders/${a.id}/status`, { status: 'in_transit', tracking_number: 'TRK-123' });
    assert.equal(t.status, 200, JSON.stringify(t.body));
    assert.equal(t.body.data.tracking_number, 'TRK-123');
    const h = await admin.get(`/api/orders/${a.id}/history`);
    assert.equal(h.body.success, true);
    assert.deepEqual(h.body.data.at(-1).fields, { tracking_number: 'TRK-123' });
    assert.equal(h.body.data.at(-1).actor, 'driver');
  });

  test('a legacy stored status is read through the aliases when changing it', async () => {
    const o = await findOrder((x) => x.stored_status === 'shipped', '/api/orders');
    const r = await admin.put(`/api/orders/${o.id}/status`, { status: 'delivered' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.data.status, 'delivered');
    assert.equal(r.body.data.stored_status, undefined);
  });

  test('stock is shared across workflows: a delivery order cannot reserve what cms orders hold (422 insufficient_stock)', async () => {
    const short = await findOrder((x) => x.status === 'pending' && !allInStock(x), '/api/orders');
    const sku = short.items.find((i) => !i.in_stock).sku;
    const inventory = () =>
      readDb((db) => db.get('SELECT on_hand, reserved FROM inventory WHERE store_id = ? AND sku = ?', short.store_id, sku));
    const before = await inventory();
    const r = await admin.put(`/api/orders/${short.id}/status`, { status: 'confirmed' });
    assert.equal(r.status, 422, JSON.stringify(r.body));
    assert.equal(r.body.success, false);
    assert.match(r.body.message, new RegExp(`^Not enough ${sku} at store ${short.store_id}: \\d+ needed, \\d+ available`));
    assert.deepEqual(
      r.body.errors.map((e) => [e.code, e.field]),
      [['insufficient_stock', sku]],
    );
    const bulk = await admin.post('/api/orders/bulk_update', { order_ids: [short.id], status: 'confirmed' });
    assert.equal(bulk.body.results[0].status, 422);
    assert.equal(bulk.body.results[0].errors[0].code, 'insufficient_stock');
    assert.deepEqual(await inventory(), before, 'nothing reserved');
    assert.equal((await admin.get(`/api/orders/${short.id}`)).body.data.status, 'pending');
    const all = (await readDb((db) => db.get('SELECT COUNT(*) AS n FROM inventory WHERE reserved > on_hand'))).n;
    assert.equal(all, 0, 'no SKU anywhere has more reserved than on hand');
  });

  test('an order may still consume its own reservation where older data is over-reserved', async () => {
    const candidates = (await allOrders(admin, '/api/v1/orders')).filter(
      (x) => x.status === 'ready_for_pickup' && x.payment_status === 'paid' && x.items.length,
    );
    let o;
    let to;
    for (const c of candidates) {
      to = (await admin.get(`/api/v1/orders/${c.id}/allowed_statuses`)).body.allowed.find(
        (a) => a.id === 'completed' && !a.requires.length,
      );
      if (to) {
        o = c;
        break;
      }
    }
    assert.ok(o, 'a ready order that may be completed');
    const { sku } = o.items[0];
    const db = await storeDb(srv, { readonly: false });
    let delta;
    try {
      const inv = await db.get('SELECT on_hand, reserved FROM inventory WHERE store_id = ? AND sku = ?', o.store_id, sku);
      delta = inv.on_hand - inv.reserved + 1; // leave one more reserved than on hand, as before the shared-stock fix
      await db.run('UPDATE inventory SET on_hand = on_hand - ? WHERE store_id = ? AND sku = ?', delta, o.store_id, sku);
      const r = await admin.put(`/api/v1/orders/${o.id}`, { status: 'completed', lock_version: o.lock_version });
      assert.equal(r.status, 200, JSON.stringify(r.body));
    } finally {
      await db.run('UPDATE inventory SET on_hand = on_hand + ? WHERE store_id = ? AND sku = ?', delta, o.store_id, sku);
      await db.close();
    }
  });

  test('the consistency check reports reservations over what is on hand', async () => {
    // On a copy of the SQLite file; on PostgreSQL inside a transaction rolled back afterwards (the
    // check reads through the same connection).
    const statuses = { cms: cmsDoc.statuses, delivery: delDoc.statuses };
    const normalize = { cms: normalizer(cmsDoc), delivery: normalizer(delDoc) };
    let c;
    let row;
    if (srv.databaseUrl) {
      const db = await storeDb(srv, { readonly: false });
      try {
        await db.run('BEGIN');
        row = await db.get('SELECT store_id, sku, on_hand FROM inventory LIMIT 1');
        await db.run('UPDATE inventory SET on_hand = reserved - 1 WHERE store_id = ? AND sku = ?', row.store_id, row.sku);
        c = await checkStore({ db }, statuses, normalize);
      } finally {
        await db.run('ROLLBACK');
        await db.close();
      }
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'orderflow-copy-'));
      const copy = join(dir, 'orderflow.sqlite');
      await readDb(async (db) => db.db.exec(`VACUUM INTO '${copy}'`));
      const db = new Database(copy);
      row = db.prepare('SELECT store_id, sku, on_hand FROM inventory LIMIT 1').get();
      db.prepare('UPDATE inventory SET on_hand = reserved - 1 WHERE store_id = ? AND sku = ?').run(row.store_id, row.sku);
      db.close();
      c = await checkStore({ dataDir: dir }, statuses, normalize);
      rmSync(dir, { recursive: true, force: true });
    }
    assert.ok(
      c.problems.some((p) => p.startsWith(`inventory ${row.store_id}/${row.sku}: reserved`) && /exceeds on hand/.test(p)),
      JSON.stringify(c.problems),
    );
  });

  test('422 other refusals, 409 stale lock_version', async () => {
    const d = await findOrder((x) => x.status === 'delivered', '/api/orders');
    const r = await admin.put(`/api/orders/${d.id}/status`, { status: 'cancelled' });
    assert.equal(r.status, 422);
    assert.equal(r.body.success, false);
    assert.equal(r.body.message, r.body.errors[0].message);
    const o = await findOrder((x) => x.status === 'confirmed', '/api/orders');
    const s = await admin.put(`/api/orders/${o.id}/status`, { status: 'assigned', lock_version: o.lock_version + 5 });
    assert.equal(s.status, 409);
    assert.equal(s.body.success, false);
    assert.deepEqual(s.body.data, o);
    assert.match(s.body.message, /^This order was changed by .+ since you loaded it: reload it and try again\.$/);
    assert.doesNotMatch(s.body.message, /lock_version/);
  });
});

describe('bad input: a clear 4xx, nothing changed', () => {
  test('table of malformed bodies on PUT', async () => {
    const o = await findOrder((x) => x.status === 'new' && x.store_id === 's3' && allInStock(x));
    const url = `/api/v1/orders/${o.id}`;
    const v = o.lock_version;
    const cases = [
      ['malformed JSON', { raw: '{"status": "processing",' }, 400, /Malformed JSON/],
      ['empty body', { raw: '' }, 400, /empty/],
      ['array body', { raw: '[]' }, 400, /JSON object/],
      ['string body', { raw: '"processing"' }, 400, /JSON object/],
      ['unknown key', { body: { status: 'processing', lock_version: v, priority: 1 } }, 400, /"priority"/],
      ['status missing', { body: { lock_version: v } }, 400, /status/],
      ['status number', { body: { status: 3, lock_version: v } }, 400, /status/],
      ['status huge', { body: { status: 'x'.repeat(5000), lock_version: v } }, 400, /status/],
      ['fields array', { body: { status: 'processing', fields: [], lock_version: v } }, 400, /fields/],
      ['notes number', { body: { status: 'processing', notes: 5, lock_version: v } }, 400, /notes/],
      ['lock_version missing', { body: { status: 'processing' } }, 400, /lock_version/],
      ['lock_version string', { body: { status: 'processing', lock_version: String(v) } }, 400, /lock_version/],
      ['lock_version negative', { body: { status: 'processing', lock_version: -1 } }, 400, /lock_version/],
      ['lock_version fraction', { body: { status: 'processing', lock_version: 0.5 } }, 400, /lock_version/],
      ['unknown field in fields', { body: { status: 'processing', fields: { colour: 'red' }, lock_version: v } }, 422, /./],
      ['wrong type in fields', { body: { status: 'rejected', fields: { rejection_reason: 42 }, lock_version: v } }, 422, /./],
      ['notes over the workflow limit', { body: { status: 'processing', notes: 'n'.repeat(2001), lock_version: v } }, 422, /./],
      [
        'long hostile note (24 KB, over the workflow maxLength)',
        { body: { status: 'processing', notes: '<script>'.repeat(3000), lock_version: v } },
        422,
        /./,
      ],
      [
        'notes over the 32 KB bound on fields',
        { body: { status: 'processing', notes: '<script>'.repeat(4500), lock_version: v } },
        400,
        /at most 32768 bytes/,
      ],
    ];
    for (const [name, opts, status, re] of cases) {
      const r = await admin.request('PUT', url, opts);
      assert.equal(r.status, status, `${name}: ${r.text.slice(0, 200)}`);
      const message = r.body?.error?.message;
      assert.match(message, re, name);
      if (status === 422) assert.ok(r.body.errors.length > 0, name);
    }
    const notes = cmsDoc.fields.find((f) => f.id === 'notes');
    const long = await admin.put(url, { status: 'processing', notes: 'n'.repeat(notes.maxLength + 1), lock_version: v });
    assert.ok(long.body.errors.some((e) => e.code === 'invalid_field' && e.field === 'notes'));
    const after = (await admin.get(url)).body.order;
    assert.deepEqual(after, o, 'nothing changed');
  });

  test('delivery bad input uses the delivery body shape', async () => {
    const r = await admin.request('PUT', '/api/orders/300/status', { raw: '{nope' });
    assert.equal(r.status, 400);
    assert.equal(r.body.success, false);
    assert.match(r.body.message, /Malformed JSON/);
    const k = await admin.put('/api/orders/300/status', { status: 'confirmed', trackingNumber: 'x' });
    assert.equal(k.status, 400);
    assert.match(k.body.message, /"trackingNumber"/);
    const id = await admin.put('/api/orders/-4/status', { status: 'confirmed' });
    assert.equal(id.status, 400);
  });

  test('bodies over 64 KB get 413 without being read to the end', async () => {
    const big = JSON.stringify({ status: 'processing', notes: 'x'.repeat(64 * 1024 + 10), lock_version: 0 });
    const r = await admin.request('PUT', '/api/v1/orders/1', { raw: big });
    assert.equal(r.status, 413);
    assert.equal(r.body.error.code, 'payload_too_large');
    // Declared 50 MB, only a few bytes sent: the answer comes without waiting for the rest.
    const u = new URL(srv.url);
    const status = await new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: u.hostname,
          port: u.port,
          method: 'PUT',
          path: '/api/v1/orders/1',
          headers: { 'Content-Type': 'application/json', 'Content-Length': 50 * 1024 * 1024, Authorization: `Bearer ${admin.token}` },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode);
        },
      );
      req.on('error', reject);
      req.write('{"status":');
    });
    assert.equal(status, 413);
    // Chunked, no length: stops at the limit.
    const chunked = await new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: u.hostname,
          port: u.port,
          method: 'POST',
          path: '/api/v1/orders/bulk_update',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${admin.token}` },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode);
        },
      );
      req.on('error', (e) => (e.code === 'EPIPE' || e.code === 'ECONNRESET' ? null : reject(e)));
      const chunk = 'x'.repeat(64 * 1024);
      let sent = 0;
      const pump = () => {
        while (sent < 40 && req.write(chunk)) sent++;
        if (sent < 40)
          req.once('drain', () => {
            sent++;
            pump();
          });
      };
      pump();
    });
    assert.equal(chunked, 413);
    assert.equal((await admin.get('/api/v1/orders/1')).status, 200, 'server still serves');
  });
});

describe('demo data', () => {
  test('is deterministic: two fresh data directories hold the same orders and history', async () => {
    const [a, b] = await Promise.all([startServer(), startServer()]);
    try {
      const snap = async (s) => {
        const c = await new ApiClient(s.url).login('admin');
        const cms = (await c.get('/api/v1/orders?per_page=5000')).body.orders;
        const del = (await c.get('/api/orders?per_page=5000')).body.data;
        const hist = (await c.get(`/api/v1/orders/${cms[7].id}/history`)).body.history.map(({ id, ...h }) => h);
        return { cms, del, hist };
      };
      const [x, y] = await Promise.all([snap(a), snap(b)]);
      assert.deepEqual(x, y);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});

describe('rate limit', () => {
  test('per user token bucket: 429 with Retry-After, other users unaffected', async () => {
    const s = await startServer({ env: { ORDERFLOW_RATE_LIMIT: '1:5' } });
    try {
      const a = await new ApiClient(s.url).login('admin');
      const statuses = await Promise.all(Array.from({ length: 12 }, () => a.get('/api/v1/orders?per_page=1')));
      const limited = statuses.filter((r) => r.status === 429);
      assert.ok(limited.length >= 5, `${limited.length} limited`);
      assert.ok(statuses.filter((r) => r.status === 200).length >= 4);
      assert.ok(Number(limited[0].headers.get('retry-after')) >= 1);
      assert.equal(limited[0].body.error.code, 'rate_limited');
      const m = await new ApiClient(s.url).login('manager');
      assert.equal((await m.get('/api/v1/orders?per_page=1')).status, 200, 'another user has its own bucket');
    } finally {
      await s.stop();
    }
  });
});
