// The PostgreSQL store's parts that must hold across server instances, against a real throwaway
// cluster (DATABASE_URL, or one started for this file: tests/support/pg.js): schema migration by
// instances starting together, row locks that serialize changes of one order, idempotency keys
// used once, claims of deliveries and jobs that never hand one item to two instances, and events
// crossing instances through LISTEN/NOTIFY (batched, oversized, after a dropped connection).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createDatabase } from '../support/pg.js';
import { openPostgresStore } from '../../web/server/store/postgres/index.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCHEMA_VERSION } from '../../web/server/store/postgres/schema.js';
import { SCHEMA_VERSION as SQLITE_SCHEMA_VERSION, openDatabase } from '../../web/server/store/sqlite/schema.js';
import { createPgEvents } from '../../web/server/events/pg.js';

const quiet = { error() {}, log() {} };
let database;
const opened = [];
async function open() {
  const s = await openPostgresStore({ databaseUrl: database.url, poolSize: 5, log: quiet });
  opened.push(s);
  return s;
}
async function sql(text, values) {
  const c = new pg.Client({ connectionString: database.url });
  await c.connect();
  try {
    return (await c.query(text, values)).rows;
  } finally {
    await c.end();
  }
}

const SEED = {
  stores: [
    { id: 's1', name: 'One' },
    { id: 's2', name: 'Two' },
  ],
  users: [
    { username: 'ann', display_name: 'Ann', password_hash: 'x', roles: { cms: 'admin' }, stores: ['s1', 's2'] },
    { username: 'bob', display_name: 'Bob', password_hash: 'y', roles: { cms: null }, stores: [] },
  ],
  inventory: [
    { store_id: 's1', sku: 'A', on_hand: 10, reserved: 0 },
    { store_id: 's1', sku: 'B', on_hand: 5, reserved: 0 },
  ],
  orders: Array.from({ length: 20 }, (_, i) => ({
    id: i + 1,
    workflow: 'cms',
    status: 'pending',
    store_id: i % 2 ? 's2' : 's1',
    lock_version: 0,
    payment_status: 'paid',
    customer_name: `Customer ${i + 1}`,
    total: 10.5 + i,
    tracking_number: null,
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
    updated_by: null,
    items: [
      { sku: 'B', name: 'Bee', quantity: 1 },
      { sku: 'A', name: 'Ay', quantity: 2 },
    ],
    history: [
      {
        lock_version: 0,
        from_status: null,
        to_status: 'pending',
        actor: 'system',
        at: '2026-01-01T00:00:00.000Z',
        notes: 'Order placed',
        fields: {},
        source: 'api',
      },
    ],
  })),
};

before(async () => {
  database = await createDatabase();
});
after(async () => {
  for (const s of opened) await s.close().catch(() => {});
  await database?.drop();
});

describe('schema and seed', () => {
  test('instances starting together on an empty database migrate it once and seed it once', async () => {
    const [a, b] = await Promise.all([open(), open()]);
    assert.deepEqual(await sql("SELECT value FROM meta WHERE key = 'schema_version'"), [{ value: String(SCHEMA_VERSION) }]);
    await Promise.all([a.loadSeed(SEED), b.loadSeed(SEED)]);
    assert.equal(await a.isSeeded(), true);
    assert.equal((await sql('SELECT COUNT(*)::int AS n FROM orders'))[0].n, 20);
    assert.equal((await sql('SELECT COUNT(*)::int AS n FROM history'))[0].n, 20);
  });

  test('the same tables and columns as the SQLite schema, and the same schema version', async () => {
    assert.equal(SCHEMA_VERSION, SQLITE_SCHEMA_VERSION);
    const dir = mkdtempSync(join(tmpdir(), 'orderflow-schema-'));
    const lite = openDatabase(dir);
    const sqlite = {};
    try {
      for (const { name } of lite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all()) {
        sqlite[name] = lite
          .prepare('SELECT name FROM pragma_table_info(?) ORDER BY cid')
          .all(name)
          .map((c) => c.name);
      }
    } finally {
      lite.close();
      rmSync(dir, { recursive: true, force: true });
    }
    const postgres = {};
    for (const r of await sql(
      "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position",
    )) {
      (postgres[r.table_name] ??= []).push(r.column_name);
    }
    // PostgreSQL's additions (schema.js says why): rowid order, the instance running a key, big events
    const extra = { users: ['seq'], idempotency_keys: ['seq', 'owner'] };
    assert.deepEqual(
      Object.keys(postgres)
        .filter((t) => !['event_payloads', 'login_throttle'].includes(t))
        .sort(),
      Object.keys(sqlite).sort(),
    );
    for (const [table, columns] of Object.entries(sqlite)) {
      assert.deepEqual(postgres[table], [...columns, ...(extra[table] ?? [])], table);
    }
  });

  test("answers have the SQLite store's shapes: numbers, parsed JSON, items in order, users in insertion order", async () => {
    const s = await open();
    const { history, ...want } = SEED.orders[2];
    assert.deepEqual(await s.orders.get(3), want);
    assert.equal(await s.orders.get(999), null);
    assert.equal(await s.orders.get(2 ** 60), null, 'an id past 2^53 is a miss, not a type error');
    assert.equal(await s.orders.get(1.5), null);
    const page = await s.orders.list({ workflow: 'cms', stores: ['s1'], storeId: null, statuses: ['pending'], limit: 3, offset: 1 });
    assert.equal(page.total, 10);
    assert.deepEqual(
      page.orders.map((r) => r.id),
      [3, 5, 7],
    );
    assert.deepEqual(
      (await s.users.list()).map((u) => u.username),
      ['ann', 'bob'],
    );
    assert.deepEqual((await s.users.get('ann')).roles, { cms: 'admin' });
    assert.equal(await s.users.get('ann\u0000'), null, 'a name with NUL is no user (PostgreSQL text cannot hold it)');
    const h = await s.history.of(1);
    assert.deepEqual(
      h.map((r) => [r.lock_version, r.to_status, r.fields]),
      [[0, 'pending', {}]],
    );
    assert.deepEqual(
      (await s.inventory.of('s1', ['B', 'A'])).map((r) => r.sku),
      ['A', 'B'],
    );
  });
});

describe('transactions', () => {
  test('all or nothing: a body that throws leaves nothing behind', async () => {
    const s = await open();
    await assert.rejects(
      s.transaction(async (tx) => {
        await tx.orders.setStatus({ id: 4, expectedVersion: 0, status: 'shipped', at: 'now', by: 'ann' });
        await tx.history.append({
          orderId: 4,
          lockVersion: 1,
          from: 'pending',
          to: 'shipped',
          actor: 'ann',
          at: 'now',
          fields: {},
          source: 'api',
        });
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal((await s.orders.get(4)).lock_version, 0);
    assert.equal((await s.history.of(4)).length, 1);
  });

  test('a savepoint fails alone inside its transaction', async () => {
    const s = await open();
    await s.transaction(async (tx) => {
      await assert.rejects(
        tx.transaction(async (t) => {
          await t.orders.setStatus({ id: 6, expectedVersion: 0, status: 'x', at: 'now', by: 'ann' });
          throw new Error('inner');
        }),
        /inner/,
      );
      await tx.orders.setStatus({ id: 8, expectedVersion: 0, status: 'y', at: 'now', by: 'ann' });
    });
    assert.equal((await s.orders.get(6)).status, 'pending');
    assert.equal((await s.orders.get(8)).status, 'y');
  });

  test('statements joined to BEGIN/SAVEPOINT/COMMIT: empty bodies, a part that fails before any statement, nesting', async () => {
    const s = await open();
    assert.equal(await s.transaction(async () => 42), 42);
    assert.equal(await s.transaction(async (tx) => tx.transaction(async () => 'inner')), 'inner');
    await s.transaction(async (tx) => {
      await assert.rejects(
        tx.transaction(async () => {
          throw new Error('early');
        }),
        /early/,
      );
      await tx.transaction(async (t) => {
        await assert.rejects(
          t.transaction(async (u) => {
            await u.orders.setStatus({ id: 12, expectedVersion: 0, status: 'nested', at: 'now', by: 'ann' });
            throw new Error('nested');
          }),
          /nested/,
        );
        await t.orders.setStatus({ id: 14, expectedVersion: 0, status: 'kept', at: 'now', by: 'ann' });
      });
    });
    assert.equal((await s.orders.get(12)).status, 'pending');
    assert.equal((await s.orders.get(14)).status, 'kept');
    await assert.rejects(
      s.transaction(async () => {
        throw new Error('before any statement');
      }),
      /before any statement/,
    );
  });

  test('inventory read with a locked order answers what the database holds, also after an adjust and a rolled-back part', async () => {
    const s = await open();
    await s
      .transaction(async (tx) => {
        const o = await tx.orders.get(16);
        assert.deepEqual(
          o.items.map((i) => i.sku),
          ['B', 'A'],
        );
        assert.equal('inventory' in o, false, "the row has the SQLite store's columns only");
        const before = await tx.inventory.of('s1', ['A', 'B']);
        assert.deepEqual(before, await s.inventory.of('s1', ['A', 'B']));
        await tx.inventory.adjust('s1', 'A', 0, 2);
        assert.equal(
          (await tx.inventory.of('s1', ['A'])).find((r) => r.sku === 'A').reserved,
          before.find((r) => r.sku === 'A').reserved + 2,
        );
        await assert.rejects(
          tx.transaction(async (t) => {
            await t.inventory.adjust('s1', 'A', 0, 5);
            throw new Error('undo');
          }),
          /undo/,
        );
        assert.equal((await tx.inventory.of('s1', ['A']))[0].reserved, before.find((r) => r.sku === 'A').reserved + 2);
        assert.deepEqual(await tx.inventory.of('s1', ['ZZZ']), [], 'a missing SKU is absent');
        throw Object.assign(new Error('roll back the test'), { keep: true });
      })
      .catch((e) => {
        if (!e.keep) throw e;
      });
  });

  test("two instances changing one order at once: each reads the other's committed version (row lock), none is lost", async () => {
    const [a, b] = [await open(), await open()];
    const bump = (store, n) =>
      store.transaction(async (tx) => {
        const cur = await tx.orders.get(10);
        await new Promise((r) => setTimeout(r, 5)); // widen the window a lost update would need
        assert.ok(await tx.orders.setStatus({ id: 10, expectedVersion: cur.lock_version, status: `s${n}`, at: 'now', by: 'ann' }));
        await tx.history.append({
          orderId: 10,
          lockVersion: cur.lock_version + 1,
          from: cur.status,
          to: `s${n}`,
          actor: 'ann',
          at: 'now',
          fields: {},
          source: 'api',
        });
      });
    await Promise.all(Array.from({ length: 20 }, (_, i) => bump(i % 2 ? a : b, i)));
    assert.equal((await a.orders.get(10)).lock_version, 20);
    assert.deepEqual(
      (await a.history.of(10)).map((h) => h.lock_version),
      Array.from({ length: 21 }, (_, i) => i),
    );
  });

  test('inventory rows are locked with their order: concurrent reservations never exceed what is on hand', async () => {
    const [a, b] = [await open(), await open()];
    // Each transaction reserves 1 B if one is free; 5 on hand, 12 tries across two instances.
    const reserve = (store, id) =>
      store.transaction(async (tx) => {
        await tx.orders.get(id);
        const [inv] = await tx.inventory.of('s1', ['B']);
        if (inv.on_hand - inv.reserved < 1) return false;
        await tx.inventory.adjust('s1', 'B', 0, 1);
        return true;
      });
    const ids = [1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 1, 3];
    const ok = await Promise.all(ids.map((id, i) => reserve(i % 2 ? a : b, id)));
    assert.equal(ok.filter(Boolean).length, 5);
    assert.deepEqual(await sql("SELECT on_hand, reserved FROM inventory WHERE store_id = 's1' AND sku = 'B'"), [
      { on_hand: 5, reserved: 5 },
    ]);
  });
});

test("PostgreSQL failures map to the SQLite store's kinds: busy (503), full (507), conflict", async () => {
  const s = opened[0] ?? (await open());
  const err = (code, message = 'x') => Object.assign(new Error(message), { code });
  assert.deepEqual(
    ['55P03', '40P01', '40001', '57014', '53300', '57P01', 'ECONNREFUSED'].map((c) => s.classify(err(c))),
    Array(7).fill('busy'),
  );
  assert.equal(s.classify(new Error('Connection terminated unexpectedly')), 'busy');
  assert.deepEqual(
    ['53100', '53200'].map((c) => s.classify(err(c))),
    ['full', 'full'],
  );
  assert.equal(s.classify(err('23505')), 'conflict');
  assert.equal(s.classify(err('42P01')), null, 'anything else is an internal error');
  // a real lock wait running out is busy: another connection holds the order
  const holder = new pg.Client({ connectionString: database.url });
  await holder.connect();
  try {
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM orders WHERE id = 2 FOR UPDATE');
    const quick = await openPostgresStore({ databaseUrl: database.url, poolSize: 1, busyTimeoutMs: 100, log: quiet });
    opened.push(quick);
    const e = await quick.transaction((tx) => tx.orders.get(2)).catch((x) => x);
    assert.equal(quick.classify(e), 'busy', `${e?.code} ${e?.message}`);
  } finally {
    await holder.query('ROLLBACK');
    await holder.end();
  }
});

describe('idempotency keys across instances', () => {
  test('the same key inserted by two instances at once: one wins, the other is a conflict and its transaction stays usable', async () => {
    const [a, b] = [await open(), await open()];
    const put = (store) =>
      store.transaction(async (tx) => {
        try {
          await tx.idempotency.insert({
            scope: 'ann',
            key: 'k1',
            fingerprint: 'f',
            status: null,
            body: null,
            createdAt: new Date().toISOString(),
          });
          return 'inserted';
        } catch (e) {
          assert.equal(store.classify(e), 'conflict');
          await tx.meta.get('schema_version'); // still usable after the conflict
          return 'conflict';
        }
      });
    assert.deepEqual((await Promise.all([put(a), put(b)])).sort(), ['conflict', 'inserted']);
  });

  test('an in-progress key survives while its instance lives and is forgotten once it is gone', async () => {
    const a = await open();
    await a.idempotency.insert({
      scope: 'ann',
      key: 'k2',
      fingerprint: 'f',
      status: null,
      body: null,
      createdAt: new Date().toISOString(),
    });
    const b = await open(); // a new instance starting: drops orphans only
    assert.ok(await b.idempotency.get('ann', 'k2'), "a live instance's running key is kept");
    await a.close();
    opened.splice(opened.indexOf(a), 1);
    // the server ends a closed connection's backend promptly; pg_stat_activity then no longer lists it
    for (let i = 0; i < 50 && (await b.idempotency.get('ann', 'k2')); i++) {
      await b.idempotency.purgeExpired('1970-01-01T00:00:00.000Z');
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(await b.idempotency.get('ann', 'k2'), null);
  });

  test('trim keeps the newest answers within the count and byte bounds', async () => {
    const s = await open();
    for (let i = 0; i < 5; i++) {
      await s.idempotency.insert({
        scope: 'bob',
        key: `t${i}`,
        fingerprint: 'f',
        status: 200,
        body: '{"x":1}',
        createdAt: `2026-01-01T00:00:0${i}.000Z`,
      });
    }
    assert.equal(await s.idempotency.trim('bob', 3, 1e9), 2);
    assert.deepEqual(
      (await sql("SELECT key FROM idempotency_keys WHERE username = 'bob' ORDER BY key")).map((r) => r.key),
      ['t2', 't3', 't4'],
    );
  });
});

describe('background work claimed once', () => {
  test('deliveries: two instances claiming at once get disjoint rows, together all of them', async () => {
    const [a, b] = [await open(), await open()];
    const now = Date.now();
    await sql(`INSERT INTO notifications (kind, created_at) SELECT 'single', 'now' FROM generate_series(1, 40)`);
    await sql("INSERT INTO notification_items (notification_id, order_id, lock_version, status) SELECT id, 1, id, 'x' FROM notifications");
    assert.equal(await a.deliveries.materialize(['webhook'], now, null), 40);
    assert.equal(await b.deliveries.materialize(['webhook'], now, null), 0, "a second instance's pass adds nothing");
    const rounds = await Promise.all(
      Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).deliveries.claim(i % 2 ? 'A' : 'B', now, 60000, 7)),
    );
    const ids = rounds.flat().map((d) => d.id);
    assert.equal(ids.length, 40);
    assert.equal(new Set(ids).size, 40, 'no delivery claimed twice');
    assert.deepEqual(await a.deliveries.claim('A', now, 60000, 10), [], 'nothing left while the leases hold');
    const mine = rounds.find((r, i) => i % 2 === 1 && r.length)?.[0] ?? rounds.flat()[0];
    const [owner, other] = mine.lease_owner === 'A' ? ['A', 'B'] : ['B', 'A'];
    assert.equal(await b.deliveries.markSent(mine.id, other), false, 'only the lease owner writes the outcome');
    assert.equal(await a.deliveries.markSent(mine.id, owner), true);
    const listed = await a.deliveries.list({ state: 'sent', workflow: null, limit: 10, offset: 0 });
    assert.equal(listed.total, 1);
    assert.equal(listed.rows[0].deliveries[0].message_id.length, 36);
  });

  test('jobs: one claim wins; a free lease is taken over; listing skips a job being claimed', async () => {
    const [a, b] = [await open(), await open()];
    const notificationId = await a.notifications.create('batch', 'now');
    await a.transaction((tx) =>
      tx.jobs.create(
        { id: 'job_1', workflow: 'cms', username: 'ann', params: { status: 'x' }, total: 3, notificationId, createdAt: 'now' },
        [5, 6, 7],
      ),
    );
    const now = Date.now();
    const wins = await Promise.all([a.jobs.claim('job_1', 'A', now, now + 1000), b.jobs.claim('job_1', 'B', now, now + 1000)]);
    assert.deepEqual(wins.sort(), [false, true]);
    assert.deepEqual(await a.jobs.todo('job_1', 10), [
      { seq: 0, order_id: 5 },
      { seq: 1, order_id: 6 },
      { seq: 2, order_id: 7 },
    ]);
    assert.equal(await a.jobs.setResult('job_1', 0, { ok: true }), true);
    assert.equal(await b.jobs.setResult('job_1', 0, { ok: false }), false, 'a result is written once');
    assert.deepEqual(await a.jobs.progress('job_1'), { done: 1, succeeded: 1 });
    assert.deepEqual(await a.jobs.claimable(now + 2000), ['job_1'], 'an expired lease is claimable again');
    assert.equal(await b.jobs.claim('job_1', 'B', now + 2000, now + 3000), true);
    assert.equal((await a.jobs.get('job_1')).params.status, 'x');
  });
});

describe('events across instances (LISTEN/NOTIFY)', () => {
  const hubs = [];
  const hub = async () => {
    const h = createPgEvents({
      connectionString: database.url,
      pool: opened[0].pool,
      channel: 'test_events',
      log: quiet,
      reconnectMs: [50],
    });
    hubs.push(h);
    await h.ready;
    return h;
  };
  const collect = (h) => {
    const got = [];
    h.subscribe((e) => got.push(e));
    return got;
  };
  const until = async (cond, ms = 5000) => {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  after(async () => {
    for (const h of hubs) await h.close();
  });

  test("an event published on one instance reaches the other once, and the publisher's own subscribers at once", async () => {
    if (!opened.length) await open();
    const [a, b] = [await hub(), await hub()];
    const [gotA, gotB] = [collect(a), collect(b)];
    a.publish({ id: 1, workflow: 'cms', status: 'shipped', lock_version: 2 });
    assert.deepEqual(gotA, [{ id: 1, workflow: 'cms', status: 'shipped', lock_version: 2 }], 'local subscribers need no round trip');
    await until(() => gotB.length === 1);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(gotB, gotA);
    assert.equal(gotA.length, 1, 'the publisher ignores its own NOTIFY');
  });

  test('500 events of one bulk arrive complete and in order; an event over 8000 bytes arrives too', async () => {
    const [a, b] = [await hub(), await hub()];
    const gotB = collect(b);
    for (let i = 0; i < 500; i++) a.publish({ id: i, workflow: 'cms', status: 'done', lock_version: 1, updated_by_name: 'n'.repeat(40) });
    a.publish({ id: 'big', workflow: 'cms', notes: 'x'.repeat(20000) });
    await until(() => gotB.length === 501);
    assert.deepEqual(
      gotB.slice(0, 500).map((e) => e.id),
      Array.from({ length: 500 }, (_, i) => i),
    );
    assert.equal(gotB[500].notes.length, 20000);
  });

  test('a LISTEN connection killed by the server is opened again, and events flow again', async () => {
    const [a, b] = [await hub(), await hub()];
    const gotB = collect(b);
    await sql(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'orderflow-listen' AND query ILIKE 'LISTEN%'",
    );
    // keep publishing until B hears one again (it missed those sent while it was away)
    await until(() => {
      a.publish({ id: 'again' });
      return gotB.some((e) => e.id === 'again');
    }, 10000);
    await new Promise((r) => setTimeout(r, 300));
    const before = gotB.length;
    a.publish({ id: 'once' });
    await until(() => gotB.some((e) => e.id === 'once'));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(gotB.length, before + 1, 'one LISTEN connection again: each event arrives once');
  });
});
