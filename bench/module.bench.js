// Benchmark of the npm module: printed, never asserted.
//
//   npm run bench            (after `cmake --build --preset wasm`)
//
// The same 100,000 generated orders go through
//   - wasm:    wf.planBulk (the engine, columnar marshalling),
//   - plain JS: a table lookup doing the same checks (status/aliases, transition table, role,
//              store scope, the payment and inventory guards) and producing the same result shape,
//              trusting every order to be well-formed,
//   - plain JS + checks: the same, after checking the parts of each order the decision reads for being well-formed
//              as planBulk must (a malformed order is blocked with invalid_order),
//   - XState v5: one machine built from the same workflow, `resolveState` + `can` per order.
// The two peers are built at run time from the workflow document the engine validated, so no
// workflow rule is written here. Also: cold start in a fresh process and the shipped sizes.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
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

// Guards as the workflow format defines them (docs/workflow-format.md): `equals` reads one order
// field; `items_in_stock` needs `items` (an empty list passes), each item's `in_stock` true or a
// number >= its quantity (absent quantity counts as 1).
function guardCheck(doc) {
  const guards = new Map((doc.guards || []).map((g) => [g.id, g]));
  const one = (g) =>
    g.kind === 'equals'
      ? (order) => order[g.field] === g.value
      : (order) => {
          const items = order.items;
          if (!Array.isArray(items)) return false;
          for (let i = 0; i < items.length; i++) {
            const it = items[i];
            const s = it.in_stock;
            if (s !== true && !(typeof s === 'number' && s >= (it.quantity ?? 1))) return false;
          }
          return true;
        };
  const compiled = new Map([...guards].map(([id, g]) => [id, { code: g.code, kind: g.kind, test: one(g) }]));
  const list = (ids) => (ids || []).map((id) => compiled.get(id));
  // kept for the XState peer: the failing guard codes of a transition for an order
  const failing = (ids, order) =>
    list(ids)
      .filter((g) => !g.test(order))
      .map((g) => g.code);
  return { list, failing };
}

// A competent hand-written planBulk: per call, one lookup table from every stored status value
// (current or alias) to what moving it to `to` means; per order, a few property reads.
// With `validate`, every order is first checked for being well-formed as the workflow format
// defines it (docs/workflow-format.md, "The engine's answers"): an object with a string `status`,
// and, where the decision reads them, `store_id` (store-scoped role), `payment_status` (a guard
// on it) and `items` (a stock guard: an array of objects with a finite `quantity` >= 0 and a
// boolean or finite `in_stock` when present) of the right type; a malformed order is blocked
// with `invalid_order`, as planBulk does. Without it, orders are trusted.
const READ_STORE = 1;
const READ_PAYMENT = 2;
const READ_ITEMS = 4;
function isWellFormedOrder(order, reads) {
  if (order === null || typeof order !== 'object' || Array.isArray(order)) return false;
  if (typeof order.status !== 'string') return false;
  if (reads & READ_STORE) {
    const sid = order.store_id;
    if (sid !== undefined && sid !== null && typeof sid !== 'string' && !(typeof sid === 'number' && Number.isFinite(sid))) return false;
  }
  if (reads & READ_PAYMENT) {
    const pay = order.payment_status;
    if (pay !== undefined && pay !== null && typeof pay !== 'string') return false;
  }
  if (!(reads & READ_ITEMS)) return true;
  const items = order.items;
  if (items === undefined || items === null) return true;
  if (!Array.isArray(items)) return false;
  for (let j = 0; j < items.length; j++) {
    const it = items[j];
    if (it === null || typeof it !== 'object' || Array.isArray(it)) return false;
    const q = it.quantity;
    if (q !== undefined && !(typeof q === 'number' && q >= 0 && q !== Infinity)) return false;
    const st = it.in_stock;
    if (st !== undefined && st !== true && st !== false && !(typeof st === 'number' && Number.isFinite(st))) return false;
  }
  return true;
}

function plainPeer(doc, { validate = false } = {}) {
  const byId = new Map(doc.statuses.map((s) => [s.id, s]));
  const aliases = Object.entries(doc.aliases || {});
  const roles = new Map(doc.roles.map((r) => [r.id, r]));
  const { table } = transitionTable(doc);
  const { list } = guardCheck(doc);
  const CODES = [
    'unknown_status',
    'terminal_status',
    'invalid_transition',
    'read_only',
    'forbidden_role',
    'forbidden_store',
    'missing_field',
  ];
  return function planBulkJS(orders, to, fields, actor) {
    const role = roles.get(actor.role);
    const stores = new Set((actor.stores || []).map(String));
    const scoped = role !== undefined && role.scope === 'assigned';
    const targetKnown = byId.has(to);
    // stored value -> { mask, guards }
    const entries = new Map();
    const entryFor = (current) => {
      let mask = 0;
      let guards = [];
      let reads = scoped ? READ_STORE : 0;
      if (!targetKnown || current === undefined) mask |= 1;
      else if (byId.get(current).terminal) mask |= 2;
      else {
        const t = table.get(`${current}\u0000${to}`);
        if (!t) mask |= 4;
        else {
          if (role && role.readOnly) mask |= 8;
          else if (!role || !t.roles.includes(role.id)) mask |= 16;
          for (const f of t.requires || []) if (!fields[f]) mask |= 64;
          guards = list(t.guards);
          for (const g of guards) reads |= g.kind === 'items_in_stock' ? READ_ITEMS : READ_PAYMENT;
        }
      }
      return { mask, guards, reads };
    };
    for (const s of doc.statuses) entries.set(s.id, entryFor(s.id));
    for (const [from, v] of aliases) entries.set(from, entryFor(v.to ?? undefined));
    const unknown = entryFor(undefined);
    const shared = new Map();
    const invalid = Object.freeze([Object.freeze({ code: 'invalid_order', message: 'order is malformed' })]);
    const eligible = [];
    const blocked = [];
    for (let i = 0; i < orders.length; i++) {
      const order = orders[i];
      const e = order !== null && typeof order === 'object' ? (entries.get(order.status) ?? unknown) : unknown;
      if (validate && !isWellFormedOrder(order, e.reads)) {
        blocked.push({ id: order !== null && typeof order === 'object' ? (order.id ?? null) : null, errors: invalid });
        continue;
      }
      let mask = e.mask;
      if (scoped) {
        const sid = order.store_id;
        if (sid === undefined || sid === null || !stores.has(typeof sid === 'string' ? sid : String(sid))) mask |= 32;
      }
      let guardMask = 0;
      for (let g = 0; g < e.guards.length; g++) if (!e.guards[g].test(order)) guardMask |= 1 << g;
      if (mask === 0 && guardMask === 0) {
        eligible.push(order.id);
        continue;
      }
      const key = mask * 1024 + guardMask;
      let errors = shared.get(key);
      if (!errors) {
        const codes = CODES.filter((_, b) => mask & (1 << b));
        e.guards.forEach((g, b) => {
          if (guardMask & (1 << b)) codes.push(g.code);
        });
        errors = Object.freeze(codes.map((code) => Object.freeze({ code, message: code })));
        shared.set(key, errors);
      }
      blocked.push({ id: order.id, errors });
    }
    return { eligible, blocked };
  };
}

function xstatePeer(doc) {
  const roles = new Map(doc.roles.map((r) => [r.id, r]));
  const aliases = new Map(Object.entries(doc.aliases || {}).map(([k, v]) => [k, v.to]));
  const statuses = new Set(doc.statuses.map((s) => s.id));
  const { table } = transitionTable(doc);
  const { failing } = guardCheck(doc);
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
        return failing(t.guards, event.order).length === 0;
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

// Each contender runs in blocks of a few passes, the contenders taking turns block by block (so a
// busy machine slows them alike), with a full garbage collection before each block, outside the
// timing (so one contender's garbage, and XState makes plenty, is not collected on another's
// clock). Returns the median milliseconds of each, after a warm-up.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');
const BLOCK = 3;

function timeTogether(fns, passes) {
  for (let w = 0; w < 3; w++) for (const fn of fns) fn();
  const samples = fns.map(() => []);
  for (let round = 0; round < Math.ceil(passes / BLOCK); round++) {
    fns.forEach((fn, k) => {
      gc();
      for (let i = 0; i < BLOCK; i++) {
        const t0 = performance.now();
        fn();
        samples[k].push(performance.now() - t0);
      }
    });
  }
  return samples.map(median);
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

// planBulk's per-order path (orders the columns cannot carry: malformed, or exotic objects) against
// its fast path on the same orders well-formed: each order broken in one of the parts the verdict
// reads (status, store_id, payment_status), so the engine refuses every one with invalid_order.
// BENCH_MALFORMED: the sizes, comma-separated (default 100000,1000000).
function malformedRows(flow) {
  const sizes = String(process.env.BENCH_MALFORMED || '100000,1000000')
    .split(',')
    .map(Number)
    .filter((n) => n > 0);
  const wf = flow.workflow('cms');
  const actor = { role: 'store_manager', stores: ['s1', 's2'] };
  const rows = [];
  for (const n of sizes) {
    const good = generateOrders(wf, n, { seed: 7 });
    const bad = good.map((o, i) =>
      i % 3 === 0
        ? { ...o, status: 7 }
        : i % 3 === 1
          ? { ...o, store_id: { id: o.store_id } }
          : { ...o, status: 'processing', payment_status: 3 },
    );
    const plan = wf.planBulk(bad, 'completed', {}, actor);
    if (plan.eligible.length !== 0 || plan.blocked.some((b) => b.errors[0].code !== 'invalid_order')) throw new Error('not all malformed');
    // warmed up on a slice (a pass over a million malformed orders takes seconds), then timed
    // in turns, median of 3 (of 1 for a million)
    wf.planBulk(bad.slice(0, 10000), 'completed', {}, actor);
    wf.planBulk(good, 'completed', {}, actor);
    const tb = [];
    const tg = [];
    for (let r = 0; r < (n >= 1e6 ? 1 : 3); r++) {
      gc();
      let t0 = performance.now();
      wf.planBulk(bad, 'completed', {}, actor);
      tb.push(performance.now() - t0);
      gc();
      t0 = performance.now();
      wf.planBulk(good, 'completed', {}, actor);
      tg.push(performance.now() - t0);
    }
    const tBad = median(tb);
    const tGood = median(tg);
    rows.push({ n, tBad, tGood });
  }
  return rows;
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
    const checked = plainPeer(wf.document, { validate: true });
    const xs = xstatePeer(wf.document);
    const a = wf.planBulk(orders, sc.to, sc.fields, sc.actor);
    const b = plain(orders, sc.to, sc.fields, sc.actor);
    const c = xs(orders, sc.to, sc.fields, sc.actor);
    const d = checked(orders, sc.to, sc.fields, sc.actor);
    const same = (x) => a.eligible.length === x.eligible.length && a.eligible.every((id, i) => id === x.eligible[i]);
    const agree = same(b) && same(c) && same(d);
    if (!agree) {
      const inA = new Set(a.eligible);
      const inB = new Set(b.eligible);
      const odd = orders.find((o) => inA.has(o.id) !== inB.has(o.id));
      if (odd)
        console.error(`peer disagrees on ${JSON.stringify(odd)}: engine ${JSON.stringify(wf.check(odd, sc.to, sc.fields, sc.actor))}`);
    }
    const [tWasm, tPlain, tChecked, tX] = timeTogether(
      [
        () => wf.planBulk(orders, sc.to, sc.fields, sc.actor),
        () => plain(orders, sc.to, sc.fields, sc.actor),
        () => checked(orders, sc.to, sc.fields, sc.actor),
        () => xs(orders, sc.to, sc.fields, sc.actor),
      ],
      PASSES,
    );
    rows.push({ sc, tWasm, tPlain, tChecked, tX, eligible: a.eligible.length, agree });
  }

  const malformed = malformedRows(flow);
  const cold = coldStart();
  const wasm = readFileSync(join(ROOT, 'dist', 'orderflow.wasm'));
  const glue = readFileSync(join(ROOT, 'dist', 'orderflow.js'));
  const FACADE = ['facade.js', 'index.node.js'];
  const facade = FACADE.map((f) => readFileSync(join(ROOT, 'dist', f)));
  const gz = (buf) => gzipSync(buf, { level: 9 }).length;

  const out = [];
  out.push(
    `## orderflow module benchmark (${N.toLocaleString('en-US')} orders, median of ${Math.ceil(PASSES / BLOCK) * BLOCK} passes after warm-up, in turns of ${BLOCK}; Node ${process.versions.node})`,
  );
  out.push('');
  out.push(
    '| scenario | wasm planBulk | plain JS | plain JS + checks | XState v5 | wasm / plain JS | wasm / plain JS + checks | XState / wasm | eligible | same eligible ids |',
  );
  out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const r of rows) {
    out.push(
      `| ${r.sc.workflow} → ${r.sc.to} as ${r.sc.actor.role} | ${ms(r.tWasm)} | ${ms(r.tPlain)} | ${ms(r.tChecked)} | ${ms(r.tX)} | ` +
        `${(r.tWasm / r.tPlain).toFixed(2)}x | ${(r.tWasm / r.tChecked).toFixed(2)}x | ${(r.tX / r.tWasm).toFixed(1)}x | ${r.eligible} | ${r.agree ? 'yes' : 'NO'} |`,
    );
  }
  out.push('');
  out.push(
    '| per-order path: malformed orders (cms → completed as store_manager) | planBulk | same orders well-formed (fast path) | ratio |',
  );
  out.push('| --- | ---: | ---: | ---: |');
  for (const r of malformed) {
    out.push(`| ${r.n.toLocaleString('en-US')} malformed orders | ${ms(r.tBad)} | ${ms(r.tGood)} | ${(r.tBad / r.tGood).toFixed(1)}x |`);
  }
  out.push('');
  out.push('| start-up and size | value | target |');
  out.push('| --- | ---: | ---: |');
  out.push(`| cold: import + createOrderFlow() + workflow('cms'), fresh process (median of 7) | ${ms(cold.totalMs)} | < 20 ms |`);
  out.push(`| of which createOrderFlow() + workflow('cms') | ${ms(cold.createMs)} | |`);
  out.push(`| orderflow.wasm raw / gzipped | ${kb(wasm.length)} / ${kb(gz(wasm))} | |`);
  out.push(`| orderflow.js (glue) raw / gzipped | ${kb(glue.length)} / ${kb(gz(glue))} | |`);
  out.push(`| .wasm + glue gzipped | ${kb(gz(wasm) + gz(glue))} | < 80 KB |`);
  out.push(`| facade (${FACADE.join(' + ')}) gzipped | ${kb(facade.reduce((s, b) => s + gz(b), 0))} | |`);
  console.log(out.join('\n'));
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
