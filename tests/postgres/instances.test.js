// Two server instances on one PostgreSQL database behave as one (issue 14): 50 clients split
// across them racing on 10 orders lose and duplicate no history row; a change made through one
// instance reaches the other's event stream; a stale write on one is a 409 on the other; an
// Idempotency-Key used on one is replayed by the other; background work (notification delivery,
// a bulk job) runs once across both. Always PostgreSQL: DATABASE_URL's cluster, or a throwaway
// one started for this file (tests/support/pg.js).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/server.js';
import { createDatabase } from '../support/pg.js';
import { withStoreDb, checkStore } from '../support/store-db.js';
import { ApiClient } from '../support/client.js';
import { openEventStream } from '../support/events.js';
import { startWebhookSink, newWebhookSecret } from '../node/support/sinks.js';

process.env.ORDERFLOW_EXIT_WITH_PARENT = '1';

const RACE_S = Number(process.env.ORDERFLOW_INSTANCES_RACE_S || 5);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(pred, ms = 10000) {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) return false;
    await sleep(20);
  }
  return true;
}

describe('two instances on one database', () => {
  let database;
  let hook;
  let a;
  let b;
  let docs;
  const secret = newWebhookSecret();
  const servers = () => [a, b];
  const normalize = () => Object.fromEntries(Object.entries(docs).map(([k, d]) => [k, (s) => d.aliases?.[s]?.to ?? s]));
  const statuses = () => Object.fromEntries(Object.entries(docs).map(([k, d]) => [k, d.statuses]));

  before(async () => {
    database = await createDatabase();
    hook = await startWebhookSink(secret);
    const env = {
      ORDERFLOW_RATE_LIMIT: 'off',
      ORDERFLOW_SEED_CMS_ORDERS: '700',
      ORDERFLOW_SEED_DELIVERY_ORDERS: '20',
      ORDERFLOW_NOTIFY_WEBHOOK_URL: hook.url,
      ORDERFLOW_NOTIFY_WEBHOOK_SECRET: secret,
      ORDERFLOW_NOTIFY_POLL_MS: '30',
      ORDERFLOW_NOTIFY_RETRY_BASE_MS: '100',
      ORDERFLOW_BULK_JOB_THRESHOLD: '20',
      ORDERFLOW_BULK_CHUNK: '5',
      ORDERFLOW_TEST_BULK_PAUSE_MS: '20',
      ORDERFLOW_JOB_LEASE_MS: '1000',
      // sessions taken as they were for a minute: whatever reaches an instance sooner was told
      ORDERFLOW_SESSION_CACHE_MS: '60000',
    };
    // started together on an empty database: one migrates and seeds, the other waits for it
    [a, b] = await Promise.all([0, 1].map(() => startServer({ store: 'postgres', database, env })));
    const admin = await new ApiClient(a.url).login('admin');
    docs = { cms: (await admin.get('/api/v1/workflow')).body, delivery: (await admin.get('/api/workflow')).body };
  });

  after(async () => {
    await Promise.all(servers().map((s) => s?.stop()));
    await hook?.close();
    if (database && docs) {
      const c = await checkStore({ databaseUrl: database.url }, statuses(), normalize());
      await database.drop();
      assert.deepEqual(c.problems, [], 'status, history and inventory agree after the suite');
    }
  });

  test('the seed was written once: both instances serve the same orders', async () => {
    const [x, y] = await Promise.all(
      servers().map(async (s) => (await (await new ApiClient(s.url).login('admin')).get('/api/v1/orders?per_page=5000')).body.orders),
    );
    assert.equal(x.length, 700);
    assert.deepEqual(y, x);
  });

  test("a change made through one instance arrives on the other instance's event stream", async () => {
    const [ca, cb] = await Promise.all([new ApiClient(a.url).login('admin'), new ApiClient(b.url).login('admin')]);
    const sub = openEventStream(b.url, { Authorization: `Bearer ${cb.token}` });
    await sub.ready;
    try {
      const o = (await ca.get('/api/v1/orders?per_page=5000')).body.orders.find(
        (x) => x.status === 'new' && x.items.every((i) => i.in_stock),
      );
      const r = await ca.put(`/api/v1/orders/${o.id}`, { status: 'processing', lock_version: o.lock_version });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.ok(
        await until(() => sub.events.some((e) => e.id === o.id && e.lock_version === o.lock_version + 1)),
        'the event reached instance B',
      );
      const e = sub.events.find((x) => x.id === o.id);
      assert.deepEqual(
        { workflow: e.workflow, status: e.status, updated_by: e.updated_by, source: e.source, store_id: e.store_id },
        { workflow: 'cms', status: 'processing', updated_by: 'admin', source: 'api', store_id: o.store_id },
      );
    } finally {
      sub.close();
    }
  });

  test("a logout through one instance ends the session's event stream on the other", async () => {
    const c = await new ApiClient(a.url).login('manager');
    const stream = await openEventStream(b.url, { Authorization: `Bearer ${c.token}` }).ready;
    assert.equal(stream.status, 200);
    const meOnB = () =>
      new ApiClient(b.url).request('GET', '/api/auth/me', { headers: { Authorization: `Bearer ${c.token}` }, auth: 'none' });
    assert.equal((await meOnB()).status, 200, 'B knows (and remembers) the session');
    try {
      // the stream is open on B: log out through A
      assert.equal((await c.post('/api/auth/logout', {})).status, 200);
      assert.ok(await until(() => stream.ended, 10000), 'the stream on B was still open 10 s after the logout on A');
    } finally {
      stream.close();
    }
    assert.equal((await meOnB()).status, 401, 'the token is gone on B too, though B had just looked it up');
  });

  test('a user edited or a session deleted in the database directly is seen by both instances at once', async () => {
    const c = await new ApiClient(a.url).login('fulfillment');
    const me = (srv) =>
      new ApiClient(srv.url).request('GET', '/api/auth/me', { headers: { Authorization: `Bearer ${c.token}` }, auth: 'none' });
    for (const srv of [a, b]) assert.equal((await me(srv)).status, 200, 'both instances know (and remember) the session');
    const sql = (text, ...args) => withStoreDb({ databaseUrl: database.url }, (db) => db.run(text, ...args), { readonly: false });
    try {
      // an admin renames the user and takes a store away, in SQL
      await sql("UPDATE users SET display_name = 'Fred Fulfillment', stores = '[]' WHERE username = 'fulfillment'");
      for (const srv of [a, b]) {
        assert.ok(
          await until(async () => (await me(srv)).body.user?.display_name === 'Fred Fulfillment', 2000),
          'the edit reached the instance within 2 s (its cache keeps sessions for 60 s)',
        );
        assert.deepEqual((await me(srv)).body.user.stores, []);
      }
      // and ends the session, in SQL
      await sql('DELETE FROM sessions WHERE username = $1', 'fulfillment');
      for (const srv of [a, b]) assert.ok(await until(async () => (await me(srv)).status === 401, 2000), 'the deleted session is refused');
    } finally {
      await sql("UPDATE users SET display_name = 'Fran Fulfillment', stores = '[\"s1\"]' WHERE username = 'fulfillment'");
    }
  });

  test('a stale write on one instance is a 409 on the other', async () => {
    const [ca, cb] = await Promise.all([new ApiClient(a.url).login('admin'), new ApiClient(b.url).login('manager')]);
    const o = (await cb.get('/api/v1/orders?per_page=5000')).body.orders.find(
      (x) => x.status === 'new' && x.store_id !== 's3' && x.items.every((i) => i.in_stock),
    );
    const first = await ca.put(`/api/v1/orders/${o.id}`, { status: 'processing', lock_version: o.lock_version });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const stale = await cb.put(`/api/v1/orders/${o.id}`, {
      status: 'rejected',
      fields: { rejection_reason: 'stale' },
      lock_version: o.lock_version,
    });
    assert.equal(stale.status, 409, JSON.stringify(stale.body));
    assert.equal(stale.body.error.code, 'conflict');
    assert.equal(stale.body.order.lock_version, o.lock_version + 1, 'the answer shows the version written through the other instance');
  });

  test('an Idempotency-Key used on one instance is replayed by the other, not applied twice', async () => {
    const [ca, cb] = await Promise.all([new ApiClient(a.url).login('admin'), new ApiClient(b.url).login('admin')]);
    const o = (await ca.get('/api/v1/orders?per_page=5000')).body.orders.find(
      (x) => x.status === 'new' && x.items.every((i) => i.in_stock),
    );
    const body = { status: 'processing', lock_version: o.lock_version };
    const first = await ca.put(`/api/v1/orders/${o.id}`, body, { headers: { 'Idempotency-Key': 'two-instances-1' } });
    assert.equal(first.status, 200);
    const again = await cb.put(`/api/v1/orders/${o.id}`, body, { headers: { 'Idempotency-Key': 'two-instances-1' } });
    assert.equal(again.status, 200);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(again.body, first.body);
    const history = (await cb.get(`/api/v1/orders/${o.id}/history`)).body.history;
    assert.equal(history.at(-1).lock_version, o.lock_version + 1, 'one change, one history row');
  });

  test('one Idempotency-Key sent to both instances at once: applied once, every answer the same', async () => {
    const clients = await Promise.all(Array.from({ length: 10 }, (_, i) => new ApiClient(servers()[i % 2].url).login('admin')));
    const o = (await clients[0].get('/api/orders?per_page=5000')).body.data.find((x) => x.status === 'assigned');
    assert.ok(o, 'an assigned delivery order');
    // the delivery dialect without lock_version: only the key keeps a second run from applying again
    const answers = await Promise.all(
      clients.map((c) =>
        c.put(`/api/orders/${o.id}/status`, { status: 'in_transit' }, { headers: { 'Idempotency-Key': 'two-instances-race' } }),
      ),
    );
    assert.deepEqual(
      answers.map((r) => r.status),
      Array(10).fill(200),
      answers.map((r) => r.text.slice(0, 120)).join('\n'),
    );
    assert.ok(
      answers.every((r) => JSON.stringify(r.body) === JSON.stringify(answers[0].body)),
      'one answer, replayed',
    );
    const history = (await clients[1].get(`/api/orders/${o.id}/history`)).body.data;
    assert.equal(history.filter((h) => h.to_status === 'in_transit').length, 1, 'one change');
  });

  test('failed logins are counted across instances: the lock-out holds on both', async () => {
    // ORDERFLOW_LOGIN_MAX_FAILURES defaults to 5: five failures from one address spread over A and B
    // lock the name for that address on both
    const login = (s, password) =>
      new ApiClient(s.url).request('POST', '/api/auth/login', { body: { username: 'driver', password }, auth: 'none' });
    const fails = [];
    for (let i = 0; i < 5; i++) fails.push((await login(servers()[i % 2], 'wrong')).status);
    assert.deepEqual(fails.slice(0, 4), [401, 401, 401, 401]);
    for (const s of servers()) {
      const r = await login(s, 'demo');
      assert.equal(r.status, 429, `the right password during the lock-out, on ${s === a ? 'A' : 'B'}: ${r.text.slice(0, 200)}`);
      assert.ok(Number(r.headers.get('retry-after')) >= 1);
    }
  });

  test(
    `50 clients split across both instances racing on 10 orders for ${RACE_S} s: no lost or duplicated history row`,
    { timeout: (RACE_S + 60) * 1000 },
    async () => {
      const users = ['admin', 'manager', 'admin', 'fulfillment', 'admin'];
      const clients = await Promise.all(
        Array.from({ length: 50 }, (_, i) => new ApiClient(servers()[i % 2].url).login(users[i % users.length])),
      );
      const terminal = new Set(docs.cms.statuses.filter((s) => s.terminal).map((s) => s.id));
      const open = (await clients[0].get('/api/v1/orders?per_page=5000')).body.orders.filter(
        (o) => !terminal.has(o.status) && o.store_id === 's1',
      );
      const hot = open.slice(0, 10).map((o) => o.id);
      assert.equal(hot.length, 10);
      const historyOf = () =>
        withStoreDb(
          { databaseUrl: database.url },
          async (db) =>
            new Map(
              (
                await db.all(
                  `SELECT order_id, COUNT(*) AS n, COUNT(DISTINCT lock_version) AS versions FROM history WHERE order_id IN (${hot.join(',')}) GROUP BY order_id`,
                )
              ).map((r) => [r.order_id, r]),
            ),
        );
      const before = await historyOf();
      const accepted = new Map();
      const codes = {};
      const bad = [];
      const stopAt = Date.now() + RACE_S * 1000;
      let n = 0;
      await Promise.all(
        clients.map(async (c, w) => {
          while (Date.now() < stopAt) {
            n += 1;
            const id = hot[(w + n) % hot.length];
            const cur = await c.get(`/api/v1/orders/${id}`);
            if (cur.status !== 200) {
              bad.push(`get ${id}: ${cur.status}`);
              continue;
            }
            const allowed = (await c.get(`/api/v1/orders/${id}/allowed_statuses`)).body.allowed ?? [];
            // mostly moves that stay open, so the race goes on; a terminal one now and then
            const pick = allowed.filter((x) => !terminal.has(x.id) || (w + n) % 17 === 0);
            const to = pick.length ? pick[(w + n) % pick.length] : null;
            if (!to) continue;
            const fields = Object.fromEntries(to.requires.map((f) => [f, `race ${w}`]));
            const r = await c.put(`/api/v1/orders/${id}`, { status: to.id, fields, lock_version: cur.body.order.lock_version });
            codes[r.status] = (codes[r.status] ?? 0) + 1;
            if (r.status === 200) accepted.set(id, (accepted.get(id) ?? 0) + 1);
            else if (![409, 422].includes(r.status)) bad.push(`put ${id}: ${r.status} ${r.text.slice(0, 200)}`);
          }
        }),
      );
      assert.deepEqual(bad, [], 'only 200, 409 (stale) and 422 (refused) answers');
      const after = await historyOf();
      for (const id of hot) {
        const added = (after.get(id)?.n ?? 0) - (before.get(id)?.n ?? 0);
        assert.equal(added, accepted.get(id) ?? 0, `order ${id}: ${added} history rows for ${accepted.get(id) ?? 0} accepted changes`);
        assert.equal(after.get(id).versions, after.get(id).n, `order ${id}: one history row per version`);
      }
      assert.ok((codes[409] ?? 0) > 0, `the instances contended: ${JSON.stringify(codes)}`);
      assert.ok([...accepted.values()].reduce((x, y) => x + y, 0) >= 10, `changes were accepted: ${JSON.stringify(codes)}`);
      const c = await checkStore({ databaseUrl: database.url }, statuses(), normalize());
      assert.deepEqual(c.problems, []);
      console.log(`# two instances: ${n} rounds in ${RACE_S} s, status codes ${JSON.stringify(codes)}`);
    },
  );

  test('background work runs once across instances: every notification delivered once, a bulk job applied once', async () => {
    const admin = await new ApiClient(a.url).login('admin');
    const all = (await admin.get('/api/v1/orders?per_page=5000')).body.orders;
    const ids = all
      .filter((o) => o.status === 'new' && o.items.every((i) => i.in_stock))
      .slice(0, 40)
      .map((o) => o.id);
    assert.ok(ids.length >= 30, `${ids.length} orders for the job`);
    const job = await admin.post('/api/v1/orders/bulk_update', { order_ids: ids, status: 'processing', notes: 'two instances' });
    assert.equal(job.status, 202, JSON.stringify(job.body).slice(0, 300));
    // the job is leased by instance A; B's resumer sees it and must not run it too
    const done = await until(async () => (await admin.get(`/api/v1/jobs/${job.body.job_id}?results=0`)).body.job.state === 'done', 30000);
    assert.ok(done, 'the job finished');
    const j = (await admin.get(`/api/v1/jobs/${job.body.job_id}`)).body.job;
    assert.equal(j.succeeded + j.failed, ids.length);
    await withStoreDb({ databaseUrl: database.url }, async (db) => {
      const rows = await db.all(`SELECT order_id, COUNT(*) AS n FROM history WHERE notes = 'two instances' GROUP BY order_id`);
      assert.equal(rows.length, j.succeeded);
      assert.ok(
        rows.every((r) => r.n === 1),
        'no order changed twice by the job',
      );
    });
    // every notification made so far reaches the webhook once, though both instances dispatch
    const expected = await withStoreDb(
      { databaseUrl: database.url },
      async (db) =>
        (
          await db.get(
            'SELECT COUNT(*) AS n FROM notifications n WHERE EXISTS (SELECT 1 FROM notification_items i WHERE i.notification_id = n.id)',
          )
        ).n,
    );
    assert.ok(expected >= 2);
    assert.ok(
      await until(() => new Set(hook.delivered().map((r) => r.body.data.notification_id)).size >= expected, 20000),
      `${expected} notifications delivered`,
    );
    await sleep(300);
    const ids2 = hook.received.map((r) => r.id);
    assert.equal(new Set(ids2).size, ids2.length, 'no webhook-id sent twice');
    assert.ok(
      hook.received.every((r) => r.verified),
      'every delivery signed',
    );
  });

  test('PostgreSQL ending every connection of both instances: they connect again, changes and events flow again', async () => {
    const [ca, cb] = await Promise.all([new ApiClient(a.url).login('admin'), new ApiClient(b.url).login('admin')]);
    const sub = openEventStream(b.url, { Authorization: `Bearer ${cb.token}` });
    await sub.ready;
    try {
      const fresh = (await ca.get('/api/v1/orders?per_page=5000')).body.orders.filter(
        (x) => x.status === 'new' && x.items.every((i) => i.in_stock),
      );
      const killed = await withStoreDb({ databaseUrl: database.url }, (db) =>
        db.all(
          'SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
        ),
      );
      assert.ok(killed.length >= 4, `${killed.length} connections ended (pools and listeners of both)`);
      const g = await ca.get('/api/v1/orders?per_page=1');
      assert.ok([200, 503].includes(g.status), `a read right after: ${g.status} ${g.text.slice(0, 200)}`);
      const statuses = {};
      let changed = null;
      // A request in flight when its connection ended is a 503 (busy, retry); after that, 200s.
      const heard = await until(async () => {
        const o = fresh.shift();
        const r = await ca.put(`/api/v1/orders/${o.id}`, { status: 'processing', lock_version: o.lock_version });
        statuses[r.status] = (statuses[r.status] ?? 0) + 1;
        assert.ok([200, 503].includes(r.status), `${r.status} ${r.text.slice(0, 200)}`);
        if (r.status === 200) changed = o.id;
        await sleep(100);
        return sub.events.some((e) => e.id === changed);
      }, 15000);
      assert.ok(heard, `instance B's stream carries A's changes again (${JSON.stringify(statuses)})`);
    } finally {
      sub.close();
    }
  });
});
