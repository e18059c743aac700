// Browser smoke test of the npm module: (1) the built dist/ served as-is over a local node:http
// server, imported by a tiny page; (2) a Vite production build of a scratch project that does
// `import { createOrderFlow } from 'orderflow'` (the packed + installed package). Both pages
// compute real answers in Chromium; the test asserts them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { launchChromium } from '../support/chromium.js';
import { installPackage, DIST } from '../node/support/package.js';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.css': 'text/css',
};

// The page script: the same for both pages, only the import differs. Results go on window.
const PAGE_SCRIPT = (specifier) => `
import { createOrderFlow } from ${JSON.stringify(specifier)};
try {
  const flow = await createOrderFlow();
  const cms = flow.workflow('cms');
  const delivery = flow.workflow('delivery');
  const manager = { role: 'store_manager', stores: ['s1'] };
  const order = { id: 1, status: 'new', store_id: 's1', payment_status: 'paid', items: [{ sku: 'A', quantity: 1, in_stock: true }] };
  const orders = [order, { ...order, id: 2, store_id: 's2' }, { ...order, id: 3, status: 'completed' }, { ...order, id: 4, items: [{ sku: 'B', quantity: 2, in_stock: 1 }] }];
  window.__result = {
    workflows: [...flow.workflows],
    statuses: cms.statuses.map((s) => s.id),
    allowed: cms.allowed(order, manager).map((o) => o.id),
    allowedShipped: delivery.allowed({ id: 9, status: 'shipped' }, { role: 'admin' }).map((o) => o.id),
    check: cms.check(order, 'rejected', {}, manager),
    checkOk: cms.check(order, 'processing', { notes: 'from the browser \\ud800' }, manager),
    bulk: cms.planBulk(orders, 'processing', {}, manager),
    normalize: delivery.normalize('shipped'),
    badWorkflow: (() => { try { flow.workflow({ id: 'x' }); return null; } catch (e) { return { name: e.name, problems: e.problems.length }; } })(),
    cached: (await createOrderFlow()) === flow,
  };
  if (location.search.includes('faults')) {
    // a .wasm that is not there: an OrderflowError naming the URL tried
    let failed = null;
    try { await createOrderFlow({ wasmUrl: '/missing/orderflow.wasm' }); } catch (e) { failed = { name: e.name, code: e.code, message: e.message }; }
    // the instance aborts (its heap exhausted, then a call that allocates): that call fails, the
    // next ones until the replacement is ready too, then everything answers again
    const m = flow._engine.m;
    for (let size = 256 * 1024 * 1024; size >= 16; size >>= 1) while (m._malloc(size)) { /* hold it */ }
    let aborted = null;
    try { cms.check(order, 'processing', { notes: 'x'.repeat(100) }, manager); } catch (e) { aborted = e.code; }
    let during = null;
    try { cms.check(order, 'processing', {}, manager); } catch (e) { during = e.code; }
    await flow.ready;
    window.__result.faults = {
      failed, aborted, during, after: cms.check(order, 'processing', {}, manager).ok,
      bulk: cms.planBulk(orders, 'processing', {}, manager).eligible, delivery: delivery.normalize('shipped').status,
    };
  }
  if (location.search.includes('wasmUrl')) {
    // the escape hatch: fetch the .wasm from a URL of our choosing (a separate, uncached instance)
    const url = new URL(location.search.slice(1).split('=')[1], location.href);
    const other = await createOrderFlow({ wasmUrl: url });
    window.__result.wasmUrl = { distinct: other !== flow, statuses: other.workflow('delivery').statuses.map((s) => s.id) };
  }
} catch (e) {
  window.__result = { error: String(e && e.stack || e) };
}
document.title = 'done';
`;

function serve(root, extra = {}) {
  const requested = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    requested.push(path);
    if (extra[path]) {
      res.writeHead(200, { 'content-type': TYPES[extname(path)] || 'text/plain' });
      res.end(extra[path]);
      return;
    }
    const file = normalize(join(root, path === '/' ? 'index.html' : path));
    if (!file.startsWith(root + sep) && file !== root) {
      res.writeHead(403).end();
      return;
    }
    try {
      if (!statSync(file).isFile()) throw new Error('not a file');
      res.writeHead(200, { 'content-type': TYPES[extname(file)] || 'application/octet-stream' });
      res.end(readFileSync(file));
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      resolve({ url: `http://127.0.0.1:${server.address().port}`, requested, close: () => new Promise((r) => server.close(r)) });
    }),
  );
}

let browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

async function resultsOf(url) {
  const page = await browser.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(String(e)));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  await page.goto(url);
  await page.waitForFunction(() => document.title === 'done', null, { timeout: 20000 });
  const result = await page.evaluate(() => window.__result);
  await page.close();
  assert.deepEqual(problems, []);
  return result;
}

function assertResults(r) {
  assert.equal(r.error, undefined, r.error);
  assert.deepEqual(r.workflows.sort(), ['cms', 'delivery']);
  assert.deepEqual(r.statuses, ['new', 'processing', 'ready_for_pickup', 'completed', 'cancelled', 'rejected']);
  assert.deepEqual(r.allowed.sort(), ['cancelled', 'processing', 'rejected']);
  assert.deepEqual(r.allowedShipped.sort(), ['cancelled', 'delivered']);
  assert.equal(r.check.ok, false);
  assert.deepEqual(
    r.check.errors.map((e) => [e.code, e.field]),
    [['missing_field', 'rejection_reason']],
  );
  assert.deepEqual(r.checkOk, { ok: true, errors: [] });
  assert.deepEqual(r.bulk.eligible, [1]);
  assert.deepEqual(
    r.bulk.blocked.map((b) => [b.id, b.errors.map((e) => e.code)]),
    [
      [2, ['forbidden_store']],
      [3, ['terminal_status']],
      [4, ['inventory_short']],
    ],
  );
  assert.deepEqual(r.normalize, { ok: true, status: 'in_transit' });
  assert.equal(r.badWorkflow.name, 'OrderflowError');
  assert.equal(r.cached, true, 'createOrderFlow() shares one loaded module');
  assert.ok(r.badWorkflow.problems >= 1);
}

test('the built dist/ works in Chromium from a plain page', async () => {
  const page = `<!doctype html><meta charset="utf-8"><title>loading</title><script type="module" src="/page.js"></script>`;
  const server = await serve(DIST, {
    '/index.html': page,
    '/page.js': PAGE_SCRIPT('/index.browser.js'),
    '/engine-copy.wasm': readFileSync(join(DIST, 'orderflow.wasm')),
  });
  try {
    assertResults(await resultsOf(`${server.url}/index.html`));
    // wasmUrl: the bytes come from another URL (served here under a different name)
    const r = await resultsOf(`${server.url}/index.html?wasmUrl=/engine-copy.wasm`);
    assertResults(r);
    assert.deepEqual(r.wasmUrl, { distinct: true, statuses: ['pending', 'confirmed', 'assigned', 'in_transit', 'delivered', 'cancelled'] });
    assert.ok(server.requested.includes('/engine-copy.wasm'), server.requested.join(' '));
    // faults: a failed load names the URL; an aborted instance is replaced
    const f = (await resultsOf(`${server.url}/index.html?faults`)).faults;
    assert.equal(f.failed.name, 'OrderflowError');
    assert.equal(f.failed.code, 'wasm_load_failed');
    assert.match(f.failed.message, /\/missing\/orderflow\.wasm/);
    assert.equal(f.aborted, 'engine_aborted');
    assert.equal(f.during, 'engine_restarting');
    assert.equal(f.after, true);
    assert.deepEqual(f.bulk, [1]);
    assert.equal(f.delivery, 'in_transit');
  } finally {
    await server.close();
  }
});

test('a Vite production build of a project importing "orderflow" works in Chromium', async () => {
  const { build } = await import('vite');
  const pkg = installPackage();
  const app = mkdtempSync(join(pkg.project, 'vite-app-'));
  try {
    writeFileSync(
      join(app, 'index.html'),
      `<!doctype html><meta charset="utf-8"><title>loading</title><script type="module" src="./main.js"></script>\n`,
    );
    writeFileSync(join(app, 'main.js'), PAGE_SCRIPT('orderflow'));
    await build({ root: app, logLevel: 'warn', configFile: false, build: { outDir: join(app, 'dist'), target: 'es2022' } });
    const out = join(app, 'dist');
    const assets = readFileSync(join(out, 'index.html'), 'utf8');
    assert.match(assets, /<script type="module"/);
    const server = await serve(out);
    try {
      assertResults(await resultsOf(`${server.url}/`));
    } finally {
      await server.close();
    }
  } finally {
    rmSync(app, { recursive: true, force: true });
  }
});
