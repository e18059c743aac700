// Direct reads (and the odd write) of a test server's database, whichever store it runs on:
// the SQLite file in its data dir, or its PostgreSQL database (tests/support/pg.js). Tests write
// SQL both stores understand, with `?` placeholders (numbered for PostgreSQL here).
//
// Also the consistency check of a server's data (every order's history complete and unduplicated,
// reserved stock exactly what the orders hold, never more than on hand), asked through the same
// calls, so the server suites check it against both stores.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import pg from 'pg';

const numbered = (sql) => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

// target: a server from startServer() ({dataDir, databaseUrl}). -> {kind, get, all, run, close}
export async function storeDb(target, { readonly = true } = {}) {
  if (target.databaseUrl) {
    const client = new pg.Client({ connectionString: target.databaseUrl });
    await client.connect();
    const query = async (sql, args) => client.query({ text: numbered(sql), values: args, types: TYPES });
    return {
      kind: 'postgres',
      client,
      get: async (sql, ...args) => (await query(sql, args)).rows[0],
      all: async (sql, ...args) => (await query(sql, args)).rows,
      run: async (sql, ...args) => ({ changes: (await query(sql, args)).rowCount }),
      close: () => client.end(),
    };
  }
  const db = new Database(join(target.dataDir, 'orderflow.sqlite'), { readonly, fileMustExist: true });
  return {
    kind: 'sqlite',
    db,
    get: async (sql, ...args) => db.prepare(sql).get(...args),
    all: async (sql, ...args) => db.prepare(sql).all(...args),
    run: async (sql, ...args) => db.prepare(sql).run(...args),
    close: async () => db.close(),
  };
}

// BIGINT (ids, COUNT(*)) and NUMERIC (SUM) as numbers, as better-sqlite3 answers them.
const TYPES = {
  getTypeParser(oid, format) {
    if (oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC) return (v) => (v === null ? null : Number(v));
    return pg.types.getTypeParser(oid, format);
  },
};

// Opens, runs fn(db), closes. target {db}: an open one, used as it is (and left open).
export async function withStoreDb(target, fn, options) {
  if (target.db) return fn(target.db);
  const db = await storeDb(target, options);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

// `statuses`: {workflowId: [{id, stock}]} from the workflow documents; `normalize`:
// {workflowId: (stored) => current} for legacy stored values. -> {ok, problems, counts}
export async function checkStore(target, statuses, normalize = {}) {
  return withStoreDb(target, async (db) => {
    const problems = [];
    const stock = {};
    for (const [wf, list] of Object.entries(statuses)) stock[wf] = new Map(list.map((s) => [s.id, s.stock ?? 'none']));
    const current = (wf, s) => (normalize[wf] ? normalize[wf](s) : s);
    const orders = await db.all('SELECT id, workflow, status, store_id, lock_version FROM orders ORDER BY id');
    const hist = await db.all(`SELECT order_id, COUNT(*) AS n, MIN(lock_version) AS lo, MAX(lock_version) AS hi,
                               COUNT(DISTINCT lock_version) AS distinct_versions FROM history GROUP BY order_id`);
    const byOrder = new Map(hist.map((h) => [h.order_id, h]));
    const last = new Map(
      (
        await db.all(`SELECT h.order_id, h.to_status FROM history h
      JOIN (SELECT order_id, MAX(lock_version) AS v FROM history GROUP BY order_id) m
      ON m.order_id = h.order_id AND m.v = h.lock_version`)
      ).map((r) => [r.order_id, r.to_status]),
    );
    const itemsOf = new Map();
    for (const it of await db.all('SELECT order_id, sku, quantity FROM order_items')) {
      if (!itemsOf.has(it.order_id)) itemsOf.set(it.order_id, []);
      itemsOf.get(it.order_id).push(it);
    }
    const expectedReserved = new Map();
    for (const o of orders) {
      const h = byOrder.get(o.id);
      if (!h) {
        problems.push(`order ${o.id}: no history`);
        continue;
      }
      if (h.n !== o.lock_version + 1 || h.distinct_versions !== h.n || h.lo !== 0 || h.hi !== o.lock_version) {
        problems.push(`order ${o.id}: lock_version ${o.lock_version} but ${h.n} history rows (versions ${h.lo}..${h.hi})`);
      }
      const cur = current(o.workflow, o.status);
      if (last.get(o.id) !== cur) problems.push(`order ${o.id}: status ${cur} but last history row says ${last.get(o.id)}`);
      if (stock[o.workflow]?.get(cur) === 'reserved') {
        for (const it of itemsOf.get(o.id) ?? []) {
          const k = `${o.store_id}/${it.sku}`;
          expectedReserved.set(k, (expectedReserved.get(k) ?? 0) + it.quantity);
        }
      }
    }
    for (const inv of await db.all('SELECT store_id, sku, on_hand, reserved FROM inventory')) {
      const k = `${inv.store_id}/${inv.sku}`;
      if (inv.reserved > inv.on_hand) problems.push(`inventory ${k}: reserved ${inv.reserved} exceeds on hand ${inv.on_hand}`);
      if (inv.on_hand < 0) problems.push(`inventory ${k}: on hand ${inv.on_hand} is negative`);
      const want = expectedReserved.get(k) ?? 0;
      if (inv.reserved !== want) problems.push(`inventory ${k}: reserved ${inv.reserved}, orders hold ${want}`);
      expectedReserved.delete(k);
    }
    for (const [k, want] of expectedReserved) if (want) problems.push(`inventory ${k}: no row, orders hold ${want}`);
    const counts = await db.get(`SELECT (SELECT COUNT(*) FROM orders) AS orders, (SELECT COUNT(*) FROM history) AS history,
      (SELECT COUNT(*) FROM notifications) AS notifications, (SELECT COUNT(*) FROM notification_items) AS notification_items`);
    return { ok: problems.length === 0, problems, counts };
  });
}
