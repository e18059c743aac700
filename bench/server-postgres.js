// The PostgreSQL rows of bench/server.bench.js (issue 14): the same single-PUT and contended
// scenarios as the SQLite rows, on one server instance and on two instances sharing one database
// (requests spread round-robin over both), as ratios against bare node:http PUTs measured in
// rounds interleaved with the PostgreSQL ones (best round of each, as for SQLite: the machine is
// shared). The cluster is DATABASE_URL's, or a throwaway one (scripts/pg-cluster.sh) started
// for the run. Afterwards: every accepted update has exactly one history row, and the database is
// consistent.
import { startServer } from '../tests/support/server.js';
import { createDatabase } from '../tests/support/pg.js';
import { withStoreDb, checkStore } from '../tests/support/store-db.js';

// helpers from server.bench.js: {client(base, conc), drive(n, conc, work), bareServer()}.
export async function postgresRows({ client, drive, bareServer, orders, conc, contendedS }) {
  const out = [];
  const bare = await bareServer();
  const breq = client(bare.url, conc);
  await drive(500, conc, () => breq('PUT', '/api/v1/orders/1', { status: 'x', lock_version: 0 }));  // warm-up
  let peer = null;
  // one round of the peer, kept when it is the best so far
  const peerRound = async (n) => {
    const r = await drive(n, conc, (i) => breq('PUT', '/api/v1/orders/1', { status: 'x', lock_version: i }));
    r.rate = n / r.seconds;
    if (!peer || r.rate > peer.rate) peer = { ...r, requests: n };
  };
  try {
    const rows = [];
    for (const instances of [1, 2]) {
      for (const [name, r, ok] of await scenario({ instances, client, drive, orders, conc, contendedS, peerRound })) {
        rows.push([`PostgreSQL, ${instances} instance${instances > 1 ? 's' : ''}: ${name}`, r, ok]);
      }
    }
    out.push(['peer: bare node:http PUT (fixed JSON)', peer, peer]);
    for (const [name, r, ok] of rows) out.push([name, r, peer, ok]);
  } finally {
    await bare.close();
  }
  return out;
}

async function scenario({ instances, client, drive, orders, conc, contendedS, peerRound }) {
  const database = await createDatabase();
  const env = { ORDERFLOW_RATE_LIMIT: 'off', ORDERFLOW_SEED_CMS_ORDERS: String(orders), ORDERFLOW_SEED_DELIVERY_ORDERS: '60' };
  const servers = await Promise.all(Array.from({ length: instances }, () => startServer({ store: 'postgres', database, env })));
  const target = { databaseUrl: database.url };
  try {
    const reqs = servers.map((s) => client(s.url, Math.ceil(conc / instances)));
    const req = (i, ...args) => reqs[i % reqs.length](...args);
    const login = await req(0, 'POST', '/api/auth/login', { username: 'admin', password: 'demo' });
    const auth = { Authorization: `Bearer ${login.body.token}` };  // sessions live in the database: valid on every instance
    const list = (await req(0, 'GET', '/api/v1/orders?per_page=5000', undefined, auth)).body.orders;
    const docs = { cms: (await req(0, 'GET', '/api/v1/workflow')).body, delivery: (await req(0, 'GET', '/api/workflow')).body };
    const terminal = new Set(docs.cms.statuses.filter((st) => st.terminal).map((st) => st.id));
    const plan = [];
    await drive(list.length, conc, async (i) => {
      const o = list[i];
      const r = await req(i, 'GET', `/api/v1/orders/${o.id}/allowed_statuses`, undefined, auth);
      const open = (r.body.allowed ?? []).filter((a) => (a.requires ?? []).length === 0);
      const opt = open.find((a) => !terminal.has(a.id)) ?? open.find((a) => a.confirm) ?? open[0];
      if (opt) plan.push({ id: o.id, status: opt.id, lock_version: o.lock_version });
      return r;
    });
    const h0 = await historyCount(target);
    await drive(300, conc, (i) => req(i, 'GET', `/api/v1/orders/${plan[i % plan.length].id}`, undefined, auth));  // warm-up
    // three rounds, each a third of the planned orders, each after a round of the bare peer
    const third = Math.ceil(plan.length / 3);
    let put = null;
    const putCounts = {};
    for (let round = 0; round < 3; round++) {
      const slice = plan.slice(round * third, (round + 1) * third);
      await peerRound(slice.length);
      const r = await drive(slice.length, conc, (i) => req(i, 'PUT', `/api/v1/orders/${slice[i].id}`,
        { status: slice[i].status, notes: 'bench', lock_version: slice[i].lock_version }, auth));
      for (const [k, v] of Object.entries(r.counts)) putCounts[k] = (putCounts[k] ?? 0) + v;
      r.rate = slice.length / r.seconds;
      if (!put || r.rate > put.rate) put = r;
    }
    put = { ...put, counts: putCounts, requests: plan.length };

    // Contended: 50 clients (split over the instances) on 10 hot orders, as in the SQLite row.
    const pool = (await req(0, 'GET', '/api/v1/orders?per_page=5000', undefined, auth)).body.orders.filter((o) => !terminal.has(o.status)).map((o) => o.id);
    const hot = pool.splice(0, 10);
    const creqs = servers.map((s) => client(s.url, Math.ceil(50 / instances)));
    const known = new Map();
    const refresh = async (w, id) => {
      const c = creqs[w % creqs.length];
      const [g, o] = await Promise.all([c('GET', `/api/v1/orders/${id}/allowed_statuses`, undefined, auth), c('GET', `/api/v1/orders/${id}`, undefined, auth)]);
      const v = { lock_version: o.body.order.lock_version, options: g.body.allowed.filter((a) => !(a.requires ?? []).length) };
      known.set(id, v);
      return v;
    };
    let accepted = 0; let total = 0;
    const counts = {};
    const stopAt = Date.now() + contendedS * 1000;
    const t0 = process.hrtime.bigint();
    await Promise.all(Array.from({ length: 50 }, async (_, w) => {
      while (Date.now() < stopAt && hot.length) {
        const id = hot[Math.floor(Math.random() * hot.length)];
        const cur = known.get(id) ?? await refresh(w, id);
        if (!cur.options.length) {
          const at = hot.indexOf(id);
          if (at >= 0) { if (pool.length) hot[at] = pool.shift(); else hot.splice(at, 1); }
          continue;
        }
        const r = await creqs[w % creqs.length]('PUT', `/api/v1/orders/${id}`, { status: cur.options[w % cur.options.length].id, lock_version: cur.lock_version }, auth);
        total += 1;
        counts[r.status] = (counts[r.status] ?? 0) + 1;
        if (r.status === 200) accepted += 1;
        if (known.get(id) === cur) known.delete(id);
      }
    }));
    const cs = Number(process.hrtime.bigint() - t0) / 1e9;
    await Promise.all(servers.map((s) => s.stop()));
    const added = (await historyCount(target)) - h0;
    const okWrites = (put.counts[200] ?? 0) + accepted;
    const norm = Object.fromEntries(Object.entries(docs).map(([k, d]) => [k, (s) => d.aliases?.[s]?.to ?? s]));
    const check = await checkStore(target, { cms: docs.cms.statuses, delivery: docs.delivery.statuses }, norm);
    const verdict = `history rows added ${added}, accepted ${okWrites}, lost ${Math.max(0, okWrites - added)}, duplicated ${Math.max(0, added - okWrites)}; consistency ${check.ok ? 'ok' : check.problems.slice(0, 3).join('; ')}`;
    const ok = check.ok && added === okWrites;
    return [
      ['PUT /api/v1/orders/:id (status update)', put, ok],
      [`contended: 50 clients, 10 hot orders, ${contendedS} s`, { requests: total, counts, seconds: cs, rate: total / cs, verdict }, ok],
    ];
  } finally {
    await Promise.all(servers.map((s) => s.stop().catch(() => {})));
    await database.drop().catch(() => {});
  }
}

async function historyCount(target) {
  return withStoreDb(target, async (db) => (await db.get('SELECT COUNT(*) AS n FROM history')).n);
}
