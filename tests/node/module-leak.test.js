// A million calls through the module must not grow memory without bound: WebAssembly memory
// (buffer.byteLength) and the process RSS are sampled after a warm-up and at the end.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { importPackage } from './support/package.js';
import { generateOrders } from './support/orders.js';
import v8 from 'node:v8';
import vm from 'node:vm';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

let flow;
before(async () => {
  const orderflow = await importPackage();
  flow = await orderflow.createOrderFlow();
});

const MB = 1024 * 1024;

function sample() {
  gc();
  return { wasm: flow.memoryBytes, rss: process.memoryUsage().rss };
}

test('a million check/allowed/normalize calls keep memory bounded', (t) => {
  const cms = flow.workflow('cms');
  const delivery = flow.workflow('delivery');
  const orders = generateOrders(cms, 1000, { seed: 5, messy: true });
  const actor = { role: 'store_manager', stores: ['s1'] };
  // a note longer than any small-string buffer, so every check copies it into the heap
  const fields = { notes: 'n'.repeat(64), rejection_reason: 'r' };
  // Every kind of call each 8 calls (check with fields and with an error path, allowed,
  // normalize of a legacy and an unknown value), weighted to the cheaper ones: a leak of even a
  // few bytes per call still shows as megabytes over a million calls.
  const round = (n) => {
    let ok = 0;
    for (let i = 0; i < n; i++) {
      const o = orders[i % orders.length];
      switch (i % 8) {
        case 0:
          ok += cms.check(o, 'processing', fields, actor).ok ? 1 : 0;
          break;
        case 1:
        case 5:
          ok += cms.allowed(o, actor).length;
          break;
        case 3:
          ok += cms.check(o, 'rejected', {}, { role: 'admin' }).ok ? 1 : 0;
          break;
        default:
          ok += delivery.normalize(i % 8 === 2 ? 'shipped' : 'lost').ok ? 1 : 0;
      }
    }
    return ok;
  };
  round(100000);
  const warm = sample();
  const got = round(1000000);
  assert.ok(got > 0);
  const end = sample();
  const wasmGrowth = end.wasm - warm.wasm;
  const rssGrowth = end.rss - warm.rss;
  t.diagnostic(
    `wasm memory ${warm.wasm / MB} MB -> ${end.wasm / MB} MB; RSS ${(warm.rss / MB).toFixed(1)} -> ${(end.rss / MB).toFixed(1)} MB`,
  );
  assert.ok(wasmGrowth <= 1 * MB, `wasm memory grew by ${wasmGrowth} bytes over a million calls`);
  assert.ok(rssGrowth <= 64 * MB, `RSS grew by ${(rssGrowth / MB).toFixed(1)} MB over a million calls`);
});

test('repeated planBulk and loading/dropping custom workflows keep memory bounded', async (t) => {
  const cms = flow.workflow('cms');
  const orders = generateOrders(cms, 20000, { seed: 6, messy: true });
  const text = JSON.stringify(cms.document);
  const run = (n) => {
    for (let i = 0; i < n; i++) {
      cms.planBulk(orders, i % 2 ? 'completed' : 'processing', {}, { role: 'admin' });
      flow.loadText(text); // dropped at once: its engine handle must be released by the finalizer
    }
  };
  run(20);
  const warm = sample();
  run(200);
  // let finalizers run
  for (let i = 0; i < 20 && flow.liveWorkflows > 50; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 50));
  }
  const end = sample();
  t.diagnostic(`wasm memory ${warm.wasm / MB} MB -> ${end.wasm / MB} MB; live workflows ${flow.liveWorkflows}`);
  assert.ok(end.wasm - warm.wasm <= 4 * MB, `wasm memory grew by ${end.wasm - warm.wasm} bytes`);
  assert.ok(flow.liveWorkflows < 100, `${flow.liveWorkflows} workflows still held`);
});
