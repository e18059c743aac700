// The module's life with many custom workflows and hostile sizes: dispose() releases at once, a
// memory budget gives a clear OrderflowError, an aborted WebAssembly instance is replaced (the
// failing call throws, later calls and every workflow keep working), arguments larger than the
// heap are a TypeError before anything is copied, and a failed .wasm load names what was tried.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { importPackage, installPackage } from './support/package.js';
import { bigWorkflow } from './support/big-workflow.js';

let orderflow;
before(async () => {
  orderflow = await importPackage();
});

const MB = 1024 * 1024;
const order = { id: 1, status: 'new', store_id: 's1', payment_status: 'paid', items: [{ sku: 'A', quantity: 1, in_stock: true }] };
const admin = { role: 'admin' };
// "Large" here: 64 statuses with long labels, 16 roles, 150 transitions (about 40 KB of JSON).
const SHAPE = { statuses: 64, roles: 16, explicit: 150, wildcards: 4 };
const bigText = (i) => JSON.stringify(bigWorkflow(i, SHAPE));

function answers(flow, t) {
  const cms = flow.workflow('cms');
  assert.equal(cms.check(order, 'processing', {}, admin).ok, true, t);
  assert.deepEqual(cms.planBulk([order], 'processing', {}, admin).eligible, [1], t);
  assert.equal(flow.workflow('delivery').normalize('shipped').status, 'in_transit', t);
}

test('dispose() releases a custom workflow at once; later calls throw; built-ins ignore it', async () => {
  const flow = await orderflow.createOrderFlow({ memoryBudget: 512 * MB });
  const before = flow.liveWorkflows;
  const wf = flow.loadText(bigText(1));
  assert.equal(flow.liveWorkflows, before + 1);
  assert.ok(flow.memory.used > 0, 'what the workflow holds is counted');
  assert.equal(wf.check({ id: 1, status: 's0' }, 's1', {}, { role: 'r0' }).ok, true);
  wf.dispose();
  assert.equal(flow.liveWorkflows, before);
  assert.equal(flow.memory.used, 0);
  assert.throws(
    () => wf.check({ id: 1, status: 's0' }, 's1', {}, { role: 'r0' }),
    (e) => e instanceof orderflow.OrderflowError && e.code === 'disposed',
  );
  wf.dispose(); // twice: nothing more happens
  const other = flow.loadText(bigText(2));
  other[Symbol.dispose ?? Symbol.for('Symbol.dispose')]();
  assert.equal(flow.liveWorkflows, before);
  flow.workflow('cms').dispose(); // built-ins are shared: a no-op
  answers(flow, 'after disposing');
});

test('300 large workflows loaded in a loop without GC, 60 kept alive: bounded memory, the module keeps answering', async () => {
  const flow = await orderflow.createOrderFlow();
  answers(flow, 'before');
  const base = flow.liveWorkflows;
  const kept = [];
  let peak = 0;
  for (let i = 0; i < 300; i++) {
    const wf = flow.loadText(bigText(i));
    assert.equal(wf.check({ id: i, status: 's0' }, 's1', {}, { role: 'r0' }).ok, true);
    if (i % 5 === 0) kept.push(wf);
    else wf.dispose();
    peak = Math.max(peak, flow.memoryBytes);
  }
  assert.equal(kept.length, 60);
  assert.equal(flow.liveWorkflows, base + 60);
  const each = flow.memory.used / 60;
  assert.ok(peak < 200 * MB, `wasm memory stayed at ${(peak / MB).toFixed(0)} MB (${(each / MB).toFixed(2)} MB per workflow)`);
  for (const wf of kept) assert.equal(wf.allowed({ id: 1, status: 's0' }, { role: 'r0' }).length > 0, true);
  answers(flow, 'after 300 loads');
  for (const wf of kept) wf.dispose();
  assert.equal(flow.liveWorkflows, base);
  assert.equal(flow.memory.used, 0);
});

test('a memory budget: a clear OrderflowError before the heap runs out, room again after dispose()', async () => {
  const flow = await orderflow.createOrderFlow({ memoryBudget: 8 * MB });
  const kept = [];
  let refused = null;
  for (let i = 0; i < 200 && !refused; i++) {
    try {
      kept.push(flow.loadText(bigText(i)));
    } catch (e) {
      refused = e;
    }
  }
  assert.ok(refused, 'the budget was reached');
  assert.ok(refused instanceof orderflow.OrderflowError, String(refused));
  assert.equal(refused.code, 'memory_budget');
  assert.match(refused.message, /memory budget .*dispose\(\)/);
  assert.ok(flow.memory.used <= 8 * MB);
  answers(flow, 'at the budget');
  for (const wf of kept) assert.equal(wf.check({ id: 1, status: 's0' }, 's1', {}, { role: 'r0' }).ok, true);
  kept.pop().dispose();
  kept.pop().dispose();
  kept.push(flow.loadText(bigText(999)));
  assert.throws(() => orderflow.createOrderFlow({ memoryBudget: -1 }), TypeError);
});

test('an aborted instance is replaced: the failing call is an OrderflowError, every workflow keeps working', async (t) => {
  const flow = await orderflow.createOrderFlow({ memoryBudget: 4096 * MB });
  const cms = flow.workflow('cms');
  const text = bigText(7);
  const custom = flow.loadText(text);
  const probe = { id: 1, status: 's0' };
  const before = custom.check(probe, 's1', {}, { role: 'r0' });
  // Take (almost) all the wasm heap, as a leak elsewhere would, so that the engine's next C++
  // allocation fails: on Emscripten that is abort(), after which the instance refuses every call.
  const m = flow._engine.m;
  for (let size = 256 * MB; size >= 16; size >>= 1)
    while (m._malloc(size)) {
      /* hold it */
    }
  t.diagnostic(`heap taken: ${(m.HEAPU8.length / MB).toFixed(0)} MB`);
  let aborted = null;
  try {
    flow.loadText(text); // the arguments fit the scratch buffer kept from the first load
  } catch (e) {
    aborted = e;
  }
  assert.ok(aborted instanceof orderflow.OrderflowError, `expected an OrderflowError, got ${aborted}`);
  assert.equal(aborted.code, 'engine_aborted');
  assert.notEqual(flow._engine.m, m, 'a new instance');
  // built-ins, the workflow loaded before, new loads: all answer, with the same verdicts
  answers(flow, 'after the abort');
  assert.equal(cms.check(order, 'processing', {}, admin).ok, true);
  assert.deepEqual(custom.check(probe, 's1', {}, { role: 'r0' }), before);
  assert.equal(custom.document.id, 'big_7');
  const again = flow.loadText(bigText(8));
  assert.equal(again.check(probe, 's1', {}, { role: 'r0' }).ok, true);
  assert.ok(flow.memoryBytes < 256 * MB, 'the new instance does not carry the old heap');
  await flow.ready;
});

test('arguments larger than the heap are a TypeError before marshalling, never an abort', async () => {
  const flow = await orderflow.createOrderFlow();
  const cms = flow.workflow('cms');
  const huge = '€'.repeat(4e8); // 400 M characters, 1.2 GB as UTF-8: more than a wasm heap can hold
  const tooLarge = (e) => e instanceof TypeError && /too large/.test(e.message);
  const over = 'x'.repeat(8 * MB + 1); // one over the bound
  for (const text of [huge, over]) {
    const start = performance.now();
    assert.throws(() => cms.check(order, 'processing', { notes: text }, admin), tooLarge);
    assert.throws(() => cms.planBulk([order], 'processing', { notes: text }, admin), tooLarge);
    assert.throws(() => cms.check(order, text, {}, admin), tooLarge);
    assert.throws(() => cms.check({ ...order, status: text }, 'processing', {}, admin), tooLarge);
    assert.throws(() => flow.loadText(text), tooLarge);
    assert.throws(() => flow.workflow('cms').normalize(text), tooLarge);
    assert.ok(performance.now() - start < 2000, 'refused before anything is copied');
  }
  assert.throws(() => cms.allowed(order, { role: over }), tooLarge);
  assert.throws(() => cms.check(order, 'processing', { notes: [over] }, admin), tooLarge);
  // just under the bound is not refused by the module (the engine says what is wrong with it)
  assert.equal(cms.check(order, 'processing', { notes: 'x'.repeat(8 * MB - 20) }, admin).errors[0].code, 'invalid_field');
  // planBulk: an order too large alone is refused like check refuses it; a long status string in
  // many orders goes the per-order way without one giant argument
  assert.throws(() => cms.planBulk([order, { ...order, id: 2, status: over }], 'processing', {}, admin), tooLarge);
  const long = 'x'.repeat(2e6);
  const many = Array.from({ length: 10 }, (_, i) => ({ ...order, id: i, status: long + i }));
  const plan = cms.planBulk(many, 'processing', {}, admin);
  assert.equal(plan.blocked.length, 10);
  assert.equal(plan.blocked[0].errors[0].code, 'unknown_status');
  answers(flow, 'after the oversize arguments');
});

// In a child process: the debug build's glue keeps a run-dependency timer alive after a failed
// instantiation, which would keep this test process from exiting.
function failedLoads(entry) {
  const script = `
    const { createOrderFlow, OrderflowError } = await import(${JSON.stringify(entry)});
    console.warn = console.error = () => {};
    const out = [];
    for (const options of [
      { wasmUrl: 'http://127.0.0.1:9/nowhere/orderflow.wasm' },
      { locateFile: (path) => 'http://127.0.0.1:9/lf/' + path },
      { wasmBinary: new Uint8Array([0, 97, 115, 109, 9, 9]) },
    ]) {
      try { await createOrderFlow(options); out.push(null); }
      catch (e) { out.push({ orderflow: e instanceof OrderflowError, code: e.code, message: e.message }); }
    }
    process.stdout.write(JSON.stringify(out));
    process.exit(0);`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('a failed .wasm load is an OrderflowError naming what was tried', async () => {
  const { packageDir } = installPackage();
  const [url, located, bytes] = failedLoads(pathToFileURL(join(packageDir, 'dist', 'index.browser.js')).href);
  for (const e of [url, located, bytes]) {
    assert.equal(e.orderflow, true, JSON.stringify(e));
    assert.equal(e.code, 'wasm_load_failed');
  }
  assert.match(url.message, /http:\/\/127\.0\.0\.1:9\/nowhere\/orderflow\.wasm/);
  assert.match(located.message, /http:\/\/127\.0\.0\.1:9\/lf\/orderflow\.wasm/);
  assert.match(bytes.message, /wasmBinary/);
  const [, , nodeBytes] = failedLoads(pathToFileURL(join(packageDir, 'dist', 'index.node.js')).href);
  assert.equal(nodeBytes.code, 'wasm_load_failed');
  assert.match(nodeBytes.message, /wasmBinary/);
  answers(await orderflow.createOrderFlow(), 'the default instance is untouched');
});

test('bidi controls in notes are invalid_field; message templates are bounded at load', async () => {
  const flow = await orderflow.createOrderFlow();
  const cms = flow.workflow('cms');
  for (const c of ['\u202e', '\u202a', '\u2066', '\u2069', '\u200f', '\u061c']) {
    const r = cms.check(order, 'processing', { notes: `invoice ${c}fdp.exe` }, admin);
    assert.equal(r.ok, false);
    assert.equal(r.errors[0].code, 'invalid_field');
    assert.equal(r.errors[0].field, 'notes');
    assert.equal(cms.planBulk([order], 'processing', { notes: `x${c}` }, admin).blocked[0].errors[0].field, 'notes');
  }
  const doc = bigWorkflow(1, { statuses: 256, roles: 2, explicit: 0, wildcards: 0 });
  doc.messages = { invalid_status: '{statuses}'.repeat(199) };
  assert.throws(
    () => flow.workflow(doc),
    (e) =>
      e instanceof orderflow.OrderflowError &&
      e.problems.some((p) => p.path === 'messages.invalid_status' && /could expand to \d+ bytes/.test(p.message)),
  );
  doc.messages = { invalid_status: 'Unknown status; use one of: {statuses}' };
  assert.equal(flow.workflow(doc).id, 'big_1');
});
