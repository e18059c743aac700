// The store interface (web/server/store/README.md) through its public methods: what every
// implementation must answer. Runs on SQLite in a temporary folder; with
// ORDERFLOW_TEST_STORE=postgres the same assertions run on PostgreSQL, on a new database of the
// test cluster (tests/support/pg.js; scripts/test.sh runs it both ways).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, storageFailure } from '../../web/server/store/index.js';
import { createDatabase, testStore } from '../support/pg.js';
import { SEED_AT, seedOrder } from '../support/seed-order.js';

let store;
let dir;
let database = null;
const at = SEED_AT;
const order = (id, extra = {}) =>
  seedOrder(id, {
    items: [
      { sku: 'A', name: 'Apple', quantity: 2 },
      { sku: 'B', name: 'Bread', quantity: 1 },
    ],
    history: [
      { lock_version: 0, from_status: null, to_status: 'new', actor: 'system', at, notes: 'Order placed', fields: {}, source: 'api' },
    ],
    ...extra,
  });

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'orderflow-store-'));
  if (testStore() === 'postgres') database = await createDatabase();
  store = await openStore({ databaseUrl: database?.url ?? null, dataDir: dir, busyTimeoutMs: 1000 });
  assert.equal(await store.isSeeded(), false);
  await store.loadSeed({
    stores: [
      { id: 's1', name: 'One' },
      { id: 's2', name: 'Two' },
    ],
    users: [{ username: 'ann', display_name: 'Ann', password_hash: 'x', roles: { cms: 'admin', delivery: null }, stores: ['s1'] }],
    inventory: [
      { store_id: 's1', sku: 'A', on_hand: 10, reserved: 2 },
      { store_id: 's1', sku: 'B', on_hand: 5, reserved: 0 },
    ],
    orders: [order(1), order(2, { store_id: 's2', workflow: 'delivery', status: 'pending' }), order(3)],
  });
});
after(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
  await database?.drop();
});

test('seeded data reads back: stores, users, orders with items, history, inventory', async () => {
  assert.equal(await store.isSeeded(), true);
  assert.deepEqual(await store.stores.list(), [
    { id: 's1', name: 'One' },
    { id: 's2', name: 'Two' },
  ]);
  const ann = await store.users.get('ann');
  assert.deepEqual(ann.roles, { cms: 'admin', delivery: null });
  assert.deepEqual(ann.stores, ['s1']);
  assert.equal(await store.users.get('nobody'), null);
  const o = await store.orders.get(1);
  assert.equal(o.status, 'new');
  assert.deepEqual(o.items, [
    { sku: 'A', name: 'Apple', quantity: 2 },
    { sku: 'B', name: 'Bread', quantity: 1 },
  ]);
  assert.equal(await store.orders.get(99), null);
  // getWithStock: the same row, and the inventory rows of its SKUs at its store (in or out of a transaction)
  const bySku = (stock) => [...stock].sort((a, b) => a.sku.localeCompare(b.sku));
  const withStock = await store.orders.getWithStock(1);
  assert.deepEqual(withStock.row, o);
  const levels = [
    { store_id: 's1', sku: 'A', on_hand: 10, reserved: 2 },
    { store_id: 's1', sku: 'B', on_hand: 5, reserved: 0 },
  ];
  assert.deepEqual(bySku(withStock.stock), levels);
  const inTx = await store.transaction((tx) => tx.orders.getWithStock(1));
  assert.deepEqual(inTx.row, o);
  assert.deepEqual(bySku(inTx.stock), levels);
  assert.deepEqual((await store.orders.getWithStock(2)).stock, [], 'no inventory rows at s2');
  assert.equal(await store.orders.getWithStock(99), null);
  assert.deepEqual((await store.orders.getMany([3, 1, 99])).map((r) => r.id).sort(), [1, 3]);
  const page = await store.orders.list({ workflow: 'cms', stores: ['s1'], storeId: null, statuses: ['new'], limit: 1, offset: 1 });
  assert.equal(page.total, 2);
  assert.deepEqual(
    page.orders.map((r) => r.id),
    [3],
  );
  assert.equal(
    (await store.orders.list({ workflow: 'cms', stores: ['s2'], storeId: null, statuses: null, limit: 10, offset: 0 })).total,
    0,
  );
  const h = await store.history.of(1);
  assert.equal(h.length, 1);
  assert.deepEqual(h[0].fields, {});
  assert.deepEqual(
    (await store.inventory.of('s1', ['A', 'Z'])).map((r) => [r.sku, r.on_hand, r.reserved]),
    [['A', 10, 2]],
  );
});

test('a transaction is all or nothing; the optimistic lock answers false on a stale version', async () => {
  await assert.rejects(
    store.transaction(async (tx) => {
      assert.equal(
        await tx.orders.setStatus({ id: 1, expectedVersion: 0, status: 'processing', at, by: 'ann', trackingNumber: null }),
        true,
      );
      await tx.inventory.adjust('s1', 'A', 0, 2);
      throw new Error('boom');
    }),
    /boom/,
  );
  assert.equal((await store.orders.get(1)).lock_version, 0, 'rolled back');
  assert.equal((await store.inventory.of('s1', ['A']))[0].reserved, 2);

  const entry = await store.transaction(async (tx) => {
    assert.equal(await tx.orders.setStatus({ id: 1, expectedVersion: 0, status: 'processing', at, by: 'ann', trackingNumber: 'T1' }), true);
    await tx.inventory.adjust('s1', 'A', 0, 2);
    await tx.inventory.adjust('s1', 'NEW', 3, 0);
    const nid = await tx.notifications.create('batch', at);
    await tx.notifications.addItem(nid, 1, 1, 'processing');
    assert.equal(await tx.notifications.exists(nid), true);
    const single = await tx.notifications.create('single', at, { orderId: 3, lockVersion: 1, status: 'processing' });
    assert.notEqual(single, nid);
    // each with its items, as the dispatcher reads them
    assert.deepEqual(
      (await tx.deliveries.content(nid)).items.map((i) => [i.order_id, i.lock_version, i.status]),
      [[1, 1, 'processing']],
    );
    assert.deepEqual(
      (await tx.deliveries.content(single)).items.map((i) => [i.order_id, i.lock_version, i.status, i.workflow]),
      [[3, 1, 'processing', 'cms']],
    );
    return tx.history.append({
      orderId: 1,
      lockVersion: 1,
      from: 'new',
      to: 'processing',
      actor: 'ann',
      at,
      notes: null,
      fields: { a: 1 },
      source: 'api',
    });
  });
  assert.equal(entry.lock_version, 1);
  assert.deepEqual(entry.fields, { a: 1 });
  const o = await store.orders.get(1);
  assert.deepEqual([o.status, o.lock_version, o.updated_by, o.tracking_number], ['processing', 1, 'ann', 'T1']);
  assert.deepEqual(
    (await store.inventory.of('s1', ['A', 'NEW'])).map((r) => [r.sku, r.on_hand, r.reserved]),
    [
      ['A', 10, 4],
      ['NEW', 3, 0],
    ],
  );
  assert.equal(
    await store.orders.setStatus({ id: 1, expectedVersion: 0, status: 'x', at, by: 'ann', trackingNumber: null }),
    false,
    'stale',
  );
});

test('a nested part fails alone (savepoint); a duplicate history version is a conflict', async () => {
  const err = await store.transaction(async (tx) => {
    let caught;
    try {
      await tx.transaction(async (t) => {
        await t.orders.setStatus({ id: 3, expectedVersion: 0, status: 'processing', at, by: 'ann', trackingNumber: null });
        await t.history.append({
          orderId: 1,
          lockVersion: 1,
          from: 'new',
          to: 'processing',
          actor: 'ann',
          at,
          notes: null,
          fields: {},
          source: 'api',
        });
      });
    } catch (e) {
      caught = e;
    }
    await tx.meta.set('marker', 'kept');
    return caught;
  });
  assert.equal(store.classify(err), 'conflict');
  assert.equal(storageFailure(store, err), null, 'a conflict is not a 503/507');
  assert.equal((await store.orders.get(3)).lock_version, 0, 'the nested part rolled back');
  assert.equal(await store.meta.get('marker'), 'kept', 'the rest committed');
  assert.equal(store.classify(new Error('other')), null);
});

test('a store call made while a transaction is open sees the state before or after it, never inside it', async () => {
  let release;
  const gate = new Promise((r) => {
    release = r;
  });
  const tx = store.transaction(async (t) => {
    await t.orders.setStatus({ id: 3, expectedVersion: 0, status: 'processing', at, by: 'ann', trackingNumber: null });
    await gate; // the body waits on something else; other requests run meanwhile
    throw new Error('rolled back');
  });
  const read = store.orders.get(3);
  release();
  await assert.rejects(tx, /rolled back/);
  assert.equal((await read).lock_version, 0);
});

test('sessions: create, find, remove, purge expired', async () => {
  await store.sessions.create({ tokenHash: 'h1', username: 'ann', csrf: 'c1', createdAt: at, expiresAt: 1000 });
  await store.sessions.create({ tokenHash: 'h2', username: 'ann', csrf: 'c2', createdAt: at, expiresAt: Date.now() + 60000 });
  const s = await store.sessions.find('h2');
  assert.equal(s.user.username, 'ann');
  assert.equal(s.csrf, 'c2');
  assert.equal(await store.sessions.purgeExpired(Date.now()), 1);
  assert.equal(await store.sessions.find('h1'), null);
  await store.sessions.remove('h2');
  assert.equal(await store.sessions.find('h2'), null);
});

test('idempotency keys: insert, in progress, complete, duplicate is a conflict, trim and expiry', async () => {
  await store.transaction((tx) =>
    tx.idempotency.insert({ scope: 'ann', key: 'k1', fingerprint: 'f', status: null, body: null, createdAt: at }),
  );
  assert.equal((await store.idempotency.get('ann', 'k1')).status_code, null);
  const dup = await store
    .transaction((tx) => tx.idempotency.insert({ scope: 'ann', key: 'k1', fingerprint: 'f', status: 200, body: '{}', createdAt: at }))
    .catch((e) => e);
  assert.equal(store.classify(dup), 'conflict');
  await store.idempotency.complete('ann', 'k1', 200, '{"ok":true}');
  assert.deepEqual(
    [(await store.idempotency.get('ann', 'k1')).status_code, (await store.idempotency.get('ann', 'k1')).body],
    [200, '{"ok":true}'],
  );
  for (const k of ['k2', 'k3'])
    await store.idempotency.insert({
      scope: 'ann',
      key: k,
      fingerprint: 'f',
      status: 200,
      body: '{}',
      createdAt: `2026-01-0${k === 'k2' ? 6 : 7}T00:00:00.000Z`,
    });
  assert.equal(await store.idempotency.trim('ann', 2, 1e9), 1, 'the oldest goes');
  assert.equal(await store.idempotency.get('ann', 'k1'), null);
  assert.equal(await store.idempotency.purgeExpired('2026-01-07T00:00:00.000Z'), 1);
  assert.ok(await store.idempotency.get('ann', 'k3'));
});

test('jobs: one claimer at a time, results once, progress, finish fenced by owner', async () => {
  await store.transaction((tx) =>
    tx.jobs.create(
      {
        id: 'job_1',
        workflow: 'cms',
        username: 'ann',
        params: { status: 'processing', fields: {} },
        total: 2,
        notificationId: null,
        createdAt: at,
      },
      [1, 3],
    ),
  );
  assert.equal(await store.jobs.activeCount('ann'), 1);
  assert.deepEqual(await store.jobs.claimable(1000, 5), ['job_1']);
  assert.equal(await store.jobs.claim('job_1', 'a', 1000, 2000), true);
  assert.equal(await store.jobs.claim('job_1', 'b', 1500, 2500), false, 'leased');
  assert.deepEqual(await store.jobs.claimable(1500, 5), []);
  assert.deepEqual(
    (await store.jobs.todo('job_1', 10)).map((t) => t.order_id),
    [1, 3],
  );
  assert.equal(await store.jobs.setResult('job_1', 0, { id: 1, ok: true }), true);
  assert.equal(await store.jobs.setResult('job_1', 0, { id: 1, ok: false }), false, 'done once');
  assert.deepEqual(await store.jobs.progress('job_1'), { done: 1, succeeded: 1 });
  assert.equal(await store.jobs.claim('job_1', 'b', 2000, 3000), true, 'free once the lease expired');
  assert.equal(await store.jobs.finish('job_1', 'a', at), false, 'the old owner is fenced');
  await store.jobs.setResult('job_1', 1, { id: 3, ok: false });
  assert.equal(await store.jobs.finish('job_1', 'b', at), true);
  const job = await store.jobs.get('job_1');
  assert.equal(job.state, 'done');
  assert.deepEqual(job.params, { status: 'processing', fields: {} });
  assert.deepEqual(await store.jobs.results('job_1'), [
    { id: 1, ok: true },
    { id: 3, ok: false },
  ]);
  assert.equal(await store.jobs.purgeFinished('2026-01-06T00:00:00.000Z'), 1);
  assert.equal(await store.jobs.get('job_1'), null);
});

test("audit: trimUser keeps one user's newest rows; the others' stay", async () => {
  const row = (username, n) => ({
    at: `2026-01-06T08:00:${String(n).padStart(2, '0')}.000Z`,
    username,
    workflow: 'cms',
    order_id: 100 + n,
    target_status: 'x',
    http_status: 422,
    codes: ['refused'],
    source: 'bulk',
  });
  await store.audit.append([row('carl', 1), row('dora', 2)]);
  for (let n = 3; n < 13; n += 2) await store.audit.append([row('mallory', n), row('mallory', n + 1)]);
  assert.equal(await store.audit.trimUser('mallory', 3), 7, "mallory's 7 older rows");
  assert.equal(await store.audit.trimUser('mallory', 3), 0, 'nothing more to delete');
  assert.equal(await store.audit.trimUser('carl', 3), 0);
  const ids = async (username) => (await store.audit.list({ username, limit: 100 })).map((r) => r.order_id);
  assert.deepEqual(await ids('mallory'), [112, 111, 110], "mallory's newest 3");
  assert.deepEqual(await ids('carl'), [101], "carl's row did not roll off");
  assert.deepEqual(await ids('dora'), [102]);
});

test('audit: trim keeps the newest rows by count; list newest first with filters', async () => {
  const row = (n) => ({
    at: `2026-01-05T08:00:0${n}.000Z`,
    username: n % 2 ? 'ann' : 'bob',
    workflow: 'cms',
    order_id: n,
    target_status: 'x',
    http_status: 422,
    codes: ['refused', `c${n}`],
    source: 'api',
  });
  await store.audit.append([row(1), row(2), row(3)]);
  assert.ok((await store.audit.trim(2)) >= 1);
  assert.equal(await store.audit.trim(2), 0, 'nothing more to delete');
  const all = await store.audit.list({ limit: 10 });
  assert.deepEqual(
    all.map((r) => r.order_id),
    [3, 2],
    'capped to the newest 2',
  );
  assert.deepEqual(all[0].codes, ['refused', 'c3']);
  assert.deepEqual(
    (await store.audit.list({ username: 'ann', limit: 10 })).map((r) => r.order_id),
    [3],
  );
  assert.deepEqual(
    (await store.audit.list({ code: 'c2', limit: 10 })).map((r) => r.order_id),
    [2],
  );
  assert.deepEqual(
    (await store.audit.list({ beforeId: all[0].id, limit: 10 })).map((r) => r.order_id),
    [2],
  );
});
