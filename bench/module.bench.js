// Benchmark of the npm module: printed, never asserted.
//
//   npm run bench            (after `cmake --build --preset wasm`)
//
// The same 100,000 generated orders go through
//   - wasm:    wf.planBulk (the engine, columnar marshalling),
//   - plain JS: a table lookup doing the same checks (status/aliases, transition table, role,
//              store scope, the payment and inventory guards) and producing the same result shape,
//   - XState v5: one machine built from the same workflow, `resolveState` + `can` per order.
// The two peers are built at run time from the workflow document the engine validated, so no
// workflow rule is written here. Also: cold start in a fresh process and the shipped sizes.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { createMachine } from 'xstate';
import { createOrderFlow } from 'orderflow';
import { generateOrders } from '../tests/node/support/orders.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const N = Number(process.env.BENCH_ORDERS || 100000);
const PASSES = Number(process.env.BENCH_PASSES || 9);

// ---- peers, built from the workflow document -------------------------------------------------

function transitionTable(doc) {
  const terminal = new Set(doc.statuses.filter((s) => s.terminal).map((s) => s.id));
  const table = new Map();
  for (const t of doc.transitions) if (t.from !== '*') table.set(`${t.from}\u0000${t.to}`, t);
  for (const t of doc.transitions) {
    if (t.from !== '*') continue;
    for (const s of doc.statuses) {
      const key = `${s.id}\u0000${t.to}`;
      if (!terminal.has(s.id) && s.id !== t.to && !table.has(key)) table.set(key, t);
    }
  }
  return { table, terminal };
}

function guardCheck(doc) {
  const guards = new Map((doc.guards || []).map((g) => [g.id, g]));
  return (guardIds, order) => {
    const failed = [];
    for (const id of guardIds || []) {
      const g = guards.get(id);
      if (g.kind === 'equals') {
        if (order[g.field] !== g.value) failed.push(g.code);
      } else if (g.kind === 'items_in_stock') {
        const items = order.items;
        let ok = Array.isArray(items) && items.length > 0;
        if (ok) {
          for (const it of items) {
            const s = it.in_stock;
            if (!(s === true || (typeof s === 'number' && s >= (it.quantity ?? 1)))) { ok = false; break; }
          }
        }
        if (!ok) failed.push(g.code);
      }
    }
    return failed;
  };
}

function plainPeer(doc) {
  const statuses = new Set(doc.statuses.map((s) => s.id));
  const aliases = new Map(Object.entries(doc.aliases || {}).map(([k, v]) => [k, v.to]));
  const roles = new Map(doc.roles.map((r) => [r.id, r]));
  const { table, terminal } = transitionTable(doc);
  const guards = guardCheck(doc);
  return function planBulkJS(orders, to, fields, actor) {
    const role = roles.get(actor.role);
    const stores = new Set((actor.stores || []).map(String));
    const shared = new Map();
    const eligible = [];
    const blocked = [];
    for (const order of orders) {
      let status = order.status;
      if (!statuses.has(status)) status = aliases.get(status);
      const codes = [];
      if (!statuses.has(to)) codes.push('unknown_status');
      else if (status === undefined || status === null) codes.push('unknown_status');
      else if (terminal.has(status)) codes.push('terminal_status');
      else {
        const t = table.get(`${status}\u0000${to}`);
        if (!t) codes.push('invalid_transition');
        else {
          if (!role) codes.push('forbidden_role');
          else if (role.readOnly) codes.push('read_only');
          else if (!t.roles.includes(role.id)) codes.push('forbidden_role');
          if (role && role.scope === 'assigned' && !stores.has(String(order.store_id))) codes.push('forbidden_store');
          for (const f of t.requires || []) if (!fields[f]) codes.push('missing_field');
          codes.push(...guards(t.guards, order));
        }
      }
      if (codes.length === 0) eligible.push(order.id);
      else {
        const key = codes.join();
        let errors = shared.get(key);
        if (!errors) {
          errors = Object.freeze(codes.map((code) => Object.freeze({ code, message: code })));
          shared.set(key, errors);
        }
        blocked.push({ id: order.id, errors });
      }
    }
    return { eligible, blocked };
  };
}

function xstatePeer(doc) {
  const roles = new Map(doc.roles.map((r) => [r.id, r]));
  const aliases = new Map(Object.entries(doc.aliases || {}).map(([k, v]) => [k, v.to]));
  const statuses = new Set(doc.statuses.map((s) => s.id));
  const { table } = transitionTable(doc);
  const guards = guardCheck(doc);
  const states = {};
  for (const s of doc.statuses) states[s.id] = s.terminal ? { type: 'final' } : { on: {} };
  for (const [key, t] of table) {
    const [from, to] = key.split('\u0000');
    states[from].on[to] = {
      target: to,
      guard: ({ event }) => {
        const role = roles.get(event.actor.role);
        if (!role || role.readOnly || !t.roles.includes(role.id)) return false;
        if (role.scope === 'assigned' && !event.stores.has(String(event.order.store_id))) return false;
        for (const f of t.requires || []) if (!event.fields[f]) return false;
        return guards(t.guards, event.order).length === 0;
      },
    };
  }
  const machine = createMachine({ id: doc.id, initial: doc.initial, states });
  const refused = Object.freeze([Object.freeze({ code: 'refused', message: 'refused' })]);
  return function planBulkXState(orders, to, fields, actor) {
    const eligible = [];
    const blocked = [];
    const event = { type: to, order: null, actor, fields, stores: new Set((actor.stores || []).map(String)) };
    for (const order of orders) {
      let status = order.status;
      if (!statuses.has(status)) status = aliases.get(status);
      event.order = order;
      const snapshot = status ? machine.resolveState({ value: status, context: {} }) : null;
      if (snapshot && snapshot.can(event)) eligible.push(order.id);
      else blocked.push({ id: order.id, errors: refused });
    }
    return { eligible, blocked };
  };
}

// ---- measuring ---------------------------------------------------------------------------------

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function time(fn, passes) {
  for (let i = 0; i < 3; i++) fn();  // warm-up
  const samples = [];
  for (let i = 0; i < passes; i++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  return median(samples);
}

function coldStart(runs = 7) {
  const script = `
    const t0 = performance.now();
    const { createOrderFlow } = await import('orderflow');
    const t1 = performance.now();
    const flow = await createOrderFlow();
    const wf = flow.workflow('cms');
    const t2 = performance.now();
    if (wf.id !== 'cms') throw new Error('no cms');
    console.log(JSON.stringify({ importMs: t1 - t0, createMs: t2 - t1, totalMs: t2 - t0 }));`;
  const results = [];
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    results.push(JSON.parse(r.stdout));
  }
  return {
    importMs: median(results.map((r) => r.importMs)),
    createMs: median(results.map((r) => r.createMs)),
    totalMs: median(results.map((r) => r.totalMs)),
  };
}

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const ms = (v) => `${v.toFixed(2)} ms`;

async function main() {
  const flow = await createOrderFlow();
  const scenarios = [
    { workflow: 'cms', to: 'completed', fields: {}, actor: { role: 'store_manager', stores: ['s1', 's2'] } },
    { workflow: 'cms', to: 'processing', fields: {}, actor: { role: 'fulfillment', stores: ['s1'] } },
    { workflow: 'delivery', to: 'cancelled', fields: {}, actor: { role: 'manager', stores: [] } },
  ];
  const rows = [];
  for (const sc of scenarios) {
    const wf = flow.workflow(sc.workflow);
    const orders = generateOrders(wf, N, { seed: 42 });
    const plain = plainPeer(wf.document);
    const xs = xstatePeer(wf.document);
    const a = wf.planBulk(orders, sc.to, sc.fields, sc.actor);
    const b = plain(orders, sc.to, sc.fields, sc.actor);
    const c = xs(orders, sc.to, sc.fields, sc.actor);
    const agree = a.eligible.length === b.eligible.length && a.eligible.every((id, i) => id === b.eligible[i])
      && a.eligible.length === c.eligible.length && a.eligible.every((id, i) => id === c.eligible[i]);
    const tWasm = time(() => wf.planBulk(orders, sc.to, sc.fields, sc.actor), PASSES);
    const tPlain = time(() => plain(orders, sc.to, sc.fields, sc.actor), PASSES);
    const tX = time(() => xs(orders, sc.to, sc.fields, sc.actor), Math.max(3, Math.floor(PASSES / 2)));
    rows.push({ sc, tWasm, tPlain, tX, eligible: a.eligible.length, agree });
  }

  const cold = coldStart();
  const wasm = readFileSync(join(ROOT, 'dist', 'orderflow.wasm'));
  const glue = readFileSync(join(ROOT, 'dist', 'orderflow.js'));
  const facade = ['facade.js', 'index.node.js'].map((f) => readFileSync(join(ROOT, 'dist', f)));
  const gz = (buf) => gzipSync(buf, { level: 9 }).length;

  const out = [];
  out.push(`## orderflow module benchmark (${N.toLocaleString('en-US')} orders, median of ${PASSES} passes after warm-up; Node ${process.versions.node})`);
  out.push('');
  out.push('| scenario | wasm planBulk | plain JS | XState v5 | wasm / plain JS | XState / wasm | eligible | same eligible ids |');
  out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const r of rows) {
    out.push(`| ${r.sc.workflow} → ${r.sc.to} as ${r.sc.actor.role} | ${ms(r.tWasm)} | ${ms(r.tPlain)} | ${ms(r.tX)} | `
      + `${(r.tWasm / r.tPlain).toFixed(2)}x | ${(r.tX / r.tWasm).toFixed(1)}x | ${r.eligible} | ${r.agree ? 'yes' : 'NO'} |`);
  }
  out.push('');
  out.push('| start-up and size | value | target |');
  out.push('| --- | ---: | ---: |');
  out.push(`| cold: import + createOrderFlow() + workflow('cms'), fresh process (median of 7) | ${ms(cold.totalMs)} | < 20 ms |`);
  out.push(`| of which createOrderFlow() + workflow('cms') | ${ms(cold.createMs)} | |`);
  out.push(`| orderflow.wasm raw / gzipped | ${kb(wasm.length)} / ${kb(gz(wasm))} | |`);
  out.push(`| orderflow.js (glue) raw / gzipped | ${kb(glue.length)} / ${kb(gz(glue))} | |`);
  out.push(`| .wasm + glue gzipped | ${kb(gz(wasm) + gz(glue))} | < 80 KB |`);
  out.push(`| facade (facade.js + index.node.js) gzipped | ${kb(facade.reduce((s, b) => s + gz(b), 0))} | |`);
  console.log(out.join('\n'));
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
