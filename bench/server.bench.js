// Load benchmark of the reference server on loopback: status updates per second through the
// full HTTP + engine + SQLite path, against peers measured in the same run (a bare node:http
// server answering fixed JSON, and reads from the same server), then a contended run where many
// clients fight over a few orders. Afterwards the database is checked: every accepted update has
// exactly one history row, none is lost or duplicated, reserved stock matches the orders. Each row
// also prints the server's main-thread CPU per request over all its rounds, against the peer's
// (the contended row's CPU includes the GETs its clients make to refresh what they know).
// Last, a hostile flood: health GET latency and the server's event-loop delay while one user
// floods within the rate limit.
// The storage set-ups are a list (SCENARIOS below): SQLite, PostgreSQL with one instance and with
// two on one database (a throwaway cluster, scripts/pg-cluster.sh, unless DATABASE_URL is set).
//   node bench/server.bench.js            (BENCH_ORDERS=5000 BENCH_CONCURRENCY=16 BENCH_CONTENDED_S=5 BENCH_FLOOD_S=6
//                                          BENCH_SCENARIOS=SQLite,... to run some only)
import http from 'node:http';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { startServer } from '../tests/support/server.js';
import { createDatabase } from '../tests/support/pg.js';
import { withStoreDb, checkStore } from '../tests/support/store-db.js';

process.env.ORDERFLOW_EXIT_WITH_PARENT = '1'; // servers started here never outlive this process

const ORDERS = Number(process.env.BENCH_ORDERS || 5000);
// Both sides are warmed up before the timed rounds. The server: 500 status updates on orders of
// their own (the first 500 planned; the seed has 1,000 more orders than the timed rounds need, so
// the rounds still update about 2,000), after the plan's 2,500 GETs. The bare peer: 10,000 PUTs,
// which is what its JIT needs to reach its steady rate here (rounds of 667 after 500 requests:
// 6,500-16,000/s; after 3,000: 25,000-34,000/s; after 11,000: 44,000-46,000/s, and no higher after
// 30,000). With 500 it was measured cold in the first scenario and warm in the later ones.
const WARMUP = 500;
const PEER_WARMUP = 10000;
const CONC = Number(process.env.BENCH_CONCURRENCY || 16);
const CONTENDED_S = Number(process.env.BENCH_CONTENDED_S || 5);

// parse: false leaves answers unread (status only), so a flood does not load this process.
function client(base, concurrency, { parse = true } = {}) {
  const u = new URL(base);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  return (method, path, body, headers = {}) =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : JSON.stringify(body); // Buffer: sent as is
      const req = http.request(
        {
          host: u.hostname,
          port: u.port,
          method,
          path,
          agent,
          headers: { ...headers, ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } : {}) },
        },
        (res) => {
          if (!parse) {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode }));
            return;
          }
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            let json;
            try {
              json = JSON.parse(text);
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode, body: json });
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
}

// Runs `work(i)` for i in [0, n) with `conc` in flight; returns seconds and status counts.
async function drive(n, conc, work) {
  const counts = {};
  let next = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: conc }, async () => {
      while (next < n) {
        const i = next++;
        const r = await work(i);
        counts[r.status] = (counts[r.status] ?? 0) + 1;
      }
    }),
  );
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, counts };
}

// On-CPU time of these processes' main threads (the event loop, where a request's work runs), in
// µs: /proc/<pid>/task/<pid>/schedstat counts it in ns (Linux; null elsewhere). Printed per request
// beside the throughput: the peer's throughput is bound by this load generator, its CPU is not.
function cpuMicros(pids) {
  try {
    let ns = 0;
    for (const pid of pids) ns += Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[0]);
    return ns / 1000;
  } catch {
    return null;
  }
}

// drive() while measuring the main threads' CPU of `pids`: adds {cpu} (µs, or null).
async function driveCpu(pids, n, conc, work) {
  const c0 = cpuMicros(pids);
  const r = await drive(n, conc, work);
  const c1 = cpuMicros(pids);
  return { ...r, cpu: c0 === null || c1 === null ? null : c1 - c0 };
}

// The peer: a bare node:http server in its own process (like the real one), answering fixed JSON.
async function bareServer() {
  const code = `const http = require('node:http');
    const body = JSON.stringify({ order: { id: 1, status: 'x', lock_version: 1 } });
    const s = http.createServer((req, res) => { req.resume(); req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }); res.end(body); }); });
    s.listen(0, '127.0.0.1', () => console.log('port ' + s.address().port));`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve) =>
    child.stdout.on('data', (d) => {
      const m = /port (\d+)/.exec(String(d));
      if (m) resolve(m[1]);
    }),
  );
  return {
    url: `http://127.0.0.1:${port}`,
    pids: [child.pid],
    close: () =>
      new Promise((r) => {
        child.on('exit', r);
        child.kill();
      }),
  };
}

// The storage set-ups measured, each against the same bare node:http peer in the same run. A
// scenario starts its server instance(s) with `env` and says how to read its database afterwards:
// start(env) -> {urls, history(): rows in history, stop(), check(docs): {ok, problems}, cleanup()}.
// Requests are spread over `urls` round-robin (several instances behind one address).
// target: what tests/support/store-db.js reads ({dataDir} for SQLite, {databaseUrl} for PostgreSQL).
const storeReads = (target) => ({
  history: () => withStoreDb(target, async (db) => (await db.get('SELECT COUNT(*) AS n FROM history')).n),
  check: (docs) => {
    const norm = Object.fromEntries(Object.entries(docs).map(([k, d]) => [k, (st) => d.aliases?.[st]?.to ?? st]));
    return checkStore(target, { cms: docs.cms.statuses, delivery: docs.delivery.statuses }, norm);
  },
});
// PostgreSQL: `instances` servers on one new database of the cluster.
const postgres = (instances) => ({
  name: `PostgreSQL${instances > 1 ? `, ${instances} instances` : ''}`,
  async start(env) {
    const database = await createDatabase();
    const servers = await Promise.all(Array.from({ length: instances }, () => startServer({ store: 'postgres', database, env })));
    return {
      urls: servers.map((x) => x.url),
      pids: servers.map((x) => x.process.pid),
      ...storeReads({ databaseUrl: database.url }),
      stop: () => Promise.all(servers.map((x) => x.stop({ signal: 'SIGTERM' }))),
      cleanup: async () => {
        await Promise.all(servers.map((x) => x.stop().catch(() => {})));
        await database.drop().catch(() => {});
      },
    };
  },
});
const SCENARIOS = [
  {
    name: 'SQLite',
    async start(env) {
      const dataDir = mkdtempSync(join(tmpdir(), 'orderflow-bench-'));
      const srv = await startServer({ dataDir, env, store: 'sqlite' });
      return {
        urls: [srv.url],
        pids: [srv.process.pid],
        ...storeReads({ dataDir }),
        stop: () => srv.stop({ signal: 'SIGTERM' }),
        cleanup: async () => {
          await srv.stop().catch(() => {});
          rmSync(dataDir, { recursive: true, force: true });
        },
      };
    },
  },
  postgres(1),
  postgres(2),
];

async function main() {
  const only = process.env.BENCH_SCENARIOS ? new Set(process.env.BENCH_SCENARIOS.split(',')) : null;
  const bare = await bareServer();
  let failed = false;
  try {
    for (const scenario of SCENARIOS) {
      if (only && !only.has(scenario.name)) continue;
      if (!(await measure(scenario, bare))) failed = true;
    }
  } finally {
    await bare.close();
  }
  if (failed) process.exitCode = 1;
  await hostileFlood();
}

// Single PUTs (and GETs) against the bare peer, then a contended run; afterwards the history rows
// added must equal the accepted updates and the database must agree with itself. -> ok
async function measure(scenario, bare) {
  const inst = await scenario.start({
    ORDERFLOW_RATE_LIMIT: 'off',
    ORDERFLOW_SEED_CMS_ORDERS: String(ORDERS),
    ORDERFLOW_SEED_DELIVERY_ORDERS: '60',
  });
  const rows = [];
  try {
    const clients = inst.urls.map((u) => client(u, CONC));
    const req = (method, path, body, headers, i = 0) => clients[i % clients.length](method, path, body, headers);
    const login = await req('POST', '/api/auth/login', { username: 'admin', password: 'demo' });
    const auth = { Authorization: `Bearer ${login.body.token}` };
    const list = (await req('GET', '/api/v1/orders?per_page=5000', undefined, auth)).body.orders;
    const docs = { cms: (await req('GET', '/api/v1/workflow')).body, delivery: (await req('GET', '/api/workflow')).body };

    const terminal = new Set(docs.cms.statuses.filter((st) => st.terminal).map((st) => st.id));
    // Plan (untimed): for every order, the engine's first allowed option that needs no field.
    const plan = [];
    await drive(list.length, CONC, async (i) => {
      const o = list[i];
      const r = await req('GET', `/api/v1/orders/${o.id}/allowed_statuses`, undefined, auth, i);
      // Prefer a step that keeps the order open; the engine may still refuse it (payment, stock).
      const open = (r.body.allowed ?? []).filter((a) => (a.requires ?? []).length === 0);
      const opt = open.find((a) => !terminal.has(a.id)) ?? open.find((a) => a.confirm) ?? open[0];
      if (opt) plan.push({ id: o.id, status: opt.id, lock_version: o.lock_version });
      return r;
    });
    const h0 = await inst.history();

    const breq = client(bare.url, CONC);
    await drive(PEER_WARMUP, CONC, () => breq('PUT', '/api/v1/orders/1', { status: 'x', lock_version: 0 })); // warm-up
    const warm = plan.length > 2 * WARMUP ? plan.splice(0, WARMUP) : [];
    const warmed = await drive(warm.length, CONC, (i) =>
      req('PUT', `/api/v1/orders/${warm[i].id}`, { status: warm[i].status, notes: 'bench', lock_version: warm[i].lock_version }, auth, i),
    );
    const n = plan.length;
    await drive(500, CONC, (i) => req('GET', `/api/v1/orders/${plan[i % n].id}`, undefined, auth, i));
    // Three interleaved rounds (the machine is shared: best round per scenario is reported);
    // each round updates a third of the planned orders.
    const best = {};
    const keep = (name, r, count) => {
      const rate = count / r.seconds;
      const b = best[name];
      const merged = { ...r, counts: { ...(b?.counts ?? {}) } };
      for (const [k, v] of Object.entries(r.counts)) merged.counts[k] = (merged.counts[k] ?? 0) + v;
      merged.requests = (b?.requests ?? 0) + count;
      // CPU per request over every round (not only the best): the sum of all rounds' CPU and requests
      merged.cpu = r.cpu === null || (b && b.cpu === null) ? null : (b?.cpu ?? 0) + r.cpu;
      if (!b || rate > b.rate) {
        merged.rate = rate;
        merged.seconds = r.seconds;
        merged.count = count;
      } else {
        merged.rate = b.rate;
        merged.seconds = b.seconds;
        merged.count = b.count;
      }
      best[name] = merged;
    };
    const third = Math.ceil(n / 3);
    for (let round = 0; round < 3; round++) {
      const slice = plan.slice(round * third, (round + 1) * third);
      keep('peerGet', await driveCpu(bare.pids, slice.length, CONC, () => breq('GET', '/api/v1/orders/1')), slice.length);
      keep(
        'peerPut',
        await driveCpu(bare.pids, slice.length, CONC, (i) => breq('PUT', '/api/v1/orders/1', { status: 'x', lock_version: i })),
        slice.length,
      );
      keep(
        'get',
        await driveCpu(inst.pids, slice.length, CONC, (i) => req('GET', `/api/v1/orders/${slice[i].id}`, undefined, auth, i)),
        slice.length,
      );
      keep(
        'put',
        await driveCpu(inst.pids, slice.length, CONC, (i) =>
          req(
            'PUT',
            `/api/v1/orders/${slice[i].id}`,
            { status: slice[i].status, notes: 'bench', lock_version: slice[i].lock_version },
            auth,
            i,
          ),
        ),
        slice.length,
      );
    }
    rows.push(['peer: bare node:http GET (fixed JSON)', best.peerGet, best.peerGet]);
    rows.push(['peer: bare node:http PUT (fixed JSON)', best.peerPut, best.peerPut]);
    rows.push([`${scenario.name}: GET /api/v1/orders/:id`, best.get, best.peerGet]);
    rows.push([`${scenario.name}: PUT /api/v1/orders/:id (status update)`, best.put, best.peerPut]);
    const writes = best.put;

    // Contended: 50 clients on 10 hot orders at a time, each PUT carrying the lock_version the
    // clients last saw; an order that reaches a terminal status is replaced from the pool.
    const pool = (await req('GET', '/api/v1/orders?per_page=5000', undefined, auth)).body.orders
      .filter((o) => !terminal.has(o.status))
      .map((o) => o.id);
    const hot = pool.splice(0, 10);
    const contendedClients = 50;
    const cclients = inst.urls.map((u) => client(u, contendedClients));
    const creq = (method, path, body, headers, w) => cclients[w % cclients.length](method, path, body, headers);
    const known = new Map();
    const refresh = async (id, w) => {
      const [g, o] = await Promise.all([
        creq('GET', `/api/v1/orders/${id}/allowed_statuses`, undefined, auth, w),
        creq('GET', `/api/v1/orders/${id}`, undefined, auth, w),
      ]);
      const v = { lock_version: o.body.order.lock_version, options: g.body.allowed.filter((a) => !(a.requires ?? []).length) };
      known.set(id, v);
      return v;
    };
    let accepted = 0;
    let total = 0;
    const ccounts = {};
    const stopAt = Date.now() + CONTENDED_S * 1000;
    const cpu0 = cpuMicros(inst.pids);
    const t0 = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: contendedClients }, async (_, w) => {
        while (Date.now() < stopAt && hot.length) {
          const slot = Math.floor(Math.random() * hot.length);
          const id = hot[slot];
          const cur = known.get(id) ?? (await refresh(id, w));
          if (!cur.options.length) {
            const at = hot.indexOf(id);
            if (at >= 0) {
              if (pool.length) hot[at] = pool.shift();
              else hot.splice(at, 1);
            }
            continue;
          }
          const target = cur.options[w % cur.options.length].id;
          const r = await creq('PUT', `/api/v1/orders/${id}`, { status: target, lock_version: cur.lock_version }, auth, w);
          total += 1;
          ccounts[r.status] = (ccounts[r.status] ?? 0) + 1;
          if (r.status === 200) accepted += 1;
          if (known.get(id) === cur) known.delete(id);
        }
      }),
    );
    const cs = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu1 = cpuMicros(inst.pids);
    rows.push([
      `${scenario.name}: contended: ${contendedClients} clients, 10 hot orders, ${CONTENDED_S} s`,
      { requests: total, counts: ccounts, seconds: cs, rate: total / cs, cpu: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0 },
      best.peerPut,
    ]);

    const h1 = await inst.history();
    await inst.stop();
    const check = await inst.check(docs);

    console.log(
      `\norderflow reference server, ${scenario.name}, loopback, ${CONC} keep-alive connections, ${n} distinct orders (after ${warm.length} warm-up updates), rate limit off`,
    );
    console.log(
      '| scenario | requests | 200 | 409 | other | best round s | req/s (best round) | vs bare node:http, same method | main-thread CPU µs/request (all rounds) | CPU vs bare node:http |',
    );
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const [name, r, base] of rows) {
      const ok = r.counts[200] ?? 0;
      const conflict = r.counts[409] ?? 0;
      const other =
        Object.entries(r.counts)
          .filter(([st]) => st !== '200' && st !== '409')
          .map(([st, c]) => `${c}x${st}`)
          .join(' ') || '0';
      const perRequest = (x) => (x.cpu === null || x.cpu === undefined ? null : x.cpu / x.requests);
      const cpu = perRequest(r);
      const baseCpu = perRequest(base);
      console.log(
        `| ${name} | ${r.requests} | ${ok} | ${conflict} | ${other} | ${r.seconds.toFixed(2)} | ${r.rate.toFixed(0)} | ${(r.rate / base.rate).toFixed(2)}x | ${cpu === null ? 'n/a' : cpu.toFixed(1)} | ${cpu === null || baseCpu === null ? 'n/a' : `${(baseCpu / cpu).toFixed(2)}x`} |`,
      );
    }
    const okWrites = (warmed.counts[200] ?? 0) + (writes.counts[200] ?? 0) + accepted;
    console.log(
      `\nhistory rows added: ${h1 - h0}; accepted updates (200): ${okWrites}; lost: ${Math.max(0, okWrites - (h1 - h0))}; duplicated: ${Math.max(0, h1 - h0 - okWrites)}`,
    );
    console.log(
      `consistency (history per lock_version, last row = status, reserved stock = orders): ${check.ok ? 'ok' : check.problems.slice(0, 5).join('; ')}`,
    );
    return check.ok && h1 - h0 === okWrites;
  } finally {
    await inst.cleanup();
  }
}

const pct = (arr, p) => {
  const s = [...arr].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

// Health GETs (one at a time, 20 ms apart) for `ms`, while `during` runs; latencies in ms.
async function probeHealth(req, ms, during = async () => {}) {
  const out = [];
  const stopAt = Date.now() + ms;
  await Promise.all([
    (async () => {
      while (Date.now() < stopAt) {
        const t = performance.now();
        await req('GET', '/api/health');
        out.push(performance.now() - t);
        await new Promise((r) => setTimeout(r, 20));
      }
    })(),
    during(stopAt),
  ]);
  return out;
}

// One read-only user floods a server with the default rate limit (8 connections, FLOOD_S s):
// PUTs with 5,500 unknown field keys (just under the body limit) and with 640 KB of them (over
// it), lists of 5,000 orders, bulk updates of 500 ids. Health latency idle and during the flood
// (the flood's answers are not parsed here, so the probe measures the server, not this process),
// and the server's own event-loop delay over its last 5 s window (from /api/health).
async function hostileFlood() {
  // 10 s each: the server's event-loop figure is its last complete 5 s window, which must lie
  // inside the phase measured
  const FLOOD_S = Number(process.env.BENCH_FLOOD_S || 10);
  const srv = await startServer({
    env: { ORDERFLOW_RATE_LIMIT: '', ORDERFLOW_SEED_CMS_ORDERS: '2000', ORDERFLOW_SEED_DELIVERY_ORDERS: '60' },
  });
  try {
    const probe = client(srv.url, 1);
    const flood = client(srv.url, 8, { parse: false });
    const login = await probe('POST', '/api/auth/login', { username: 'reporting', password: 'demo' });
    const auth = { Authorization: `Bearer ${login.body.token}` };
    // bodies serialised once: the client shares the two cores with the server
    const put = (n) =>
      Buffer.from(
        JSON.stringify({
          status: 'processing',
          lock_version: 0,
          fields: Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 1])),
        }),
      );
    const [k5, k60] = [put(5500), put(60000)];
    const bulk = Buffer.from(JSON.stringify({ order_ids: Array.from({ length: 500 }, (_, i) => i + 1), status: 'processing' }));
    const attacks = [
      () => flood('PUT', '/api/v1/orders/1', k5, auth),
      () => flood('PUT', '/api/v1/orders/1', k60, auth),
      () => flood('GET', '/api/v1/orders?per_page=5000', undefined, auth),
      () => flood('POST', '/api/v1/orders/bulk_update', bulk, auth),
    ];
    const idle = await probeHealth(probe, FLOOD_S * 1000);
    const idleLoop = (await probe('GET', '/api/health')).body.event_loop_delay_ms;
    const counts = {};
    let sent = 0;
    const busy = await probeHealth(probe, FLOOD_S * 1000, (stopAt) =>
      Promise.all(
        Array.from({ length: 8 }, async (_, w) => {
          while (Date.now() < stopAt) {
            const r = await attacks[(sent++ + w) % attacks.length]();
            counts[r.status] = (counts[r.status] ?? 0) + 1;
            if (r.status === 429) await new Promise((res) => setTimeout(res, 10));
          }
        }),
      ),
    );
    const loop = (await probe('GET', '/api/health')).body.event_loop_delay_ms;
    const fmt = (l) => (l ? `${l.p50} / ${l.p99} / ${l.max}` : 'n/a');
    console.log(`\nhostile flood: one read-only user, 8 connections, default rate limit (50/s, burst 100), ${FLOOD_S} s, 2,000 orders`);
    console.log(
      '| condition | flood requests (status: count) | health GETs | health p50 ms | health p95 ms | event-loop delay p50 / p99 / max ms (last 5 s) |',
    );
    console.log('| --- | --- | ---: | ---: | ---: | ---: |');
    console.log(`| idle | 0 | ${idle.length} | ${pct(idle, 50).toFixed(1)} | ${pct(idle, 95).toFixed(1)} | ${fmt(idleLoop)} |`);
    console.log(
      `| flood | ${sent} (${Object.entries(counts)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ')}) | ${busy.length} | ${pct(busy, 50).toFixed(1)} | ${pct(busy, 95).toFixed(1)} | ${fmt(loop)} |`,
    );
  } finally {
    await srv.stop().catch(() => {});
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
