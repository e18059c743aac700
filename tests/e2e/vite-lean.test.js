// docs/embedding.md, "With a bundler": the two ways to import the elements, built with Vite from
// the packed tarball as a user would. `orderflow/elements` defines every element at once; the
// workspace's own entry plus `orderflow/adapters` leaves the detail view and the bulk dialog to
// chunks loaded on first use. Both pages run against a stand-in of the delivery document's API
// (only GET /api/orders and PUT /api/orders/:id/status), served with the built files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { launchChromium } from '../support/chromium.js';
import { serveBuiltFile } from '../support/static-files.js';
import { ROOT, scratchProject } from '../node/support/package.js';

const MAIN = {
  full: `import { createAdapter } from 'orderflow/elements';`,
  lean: `import 'orderflow/elements/of-order-workspace';\nimport { createAdapter } from 'orderflow/adapters';`,
};

let project;
let browser;
const apps = {};

/** Builds one app in the scratch project (which has the tarball installed) and serves it with the stand-in API. */
async function buildAndServe(kind) {
  const app = mkdtempSync(join(project, `app-${kind}-`));
  writeFileSync(
    join(app, 'index.html'),
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${kind}</title></head>
<body><of-order-workspace workflow="delivery"></of-order-workspace><script type="module" src="./main.js"></script></body></html>\n`,
  );
  writeFileSync(
    join(app, 'main.js'),
    `${MAIN[kind]}
const workspace = document.querySelector('of-order-workspace');
workspace.actor = { role: 'admin' };
workspace.api = createAdapter({ dialect: 'delivery', token: () => 'a-token' });\n`,
  );
  writeFileSync(join(app, 'vite.config.js'), "export default { optimizeDeps: { exclude: ['orderflow'] } };\n");
  execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], {
    cwd: app,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const dist = join(app, 'dist');
  const statuses = ['pending', 'confirmed', 'assigned', 'in_transit'];
  const orders = Array.from({ length: 8 }, (_, i) => ({ id: i + 1, status: statuses[i % 4], customer_name: `Customer ${i + 1}` }));
  const server = createServer(async (req, res) => {
    const u = new URL(req.url, 'http://x');
    const json = (code, body) => {
      res.writeHead(code, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (u.pathname === '/api/orders' && req.method === 'GET')
      return json(200, { success: true, data: orders, page: 1, per_page: 50, total: orders.length });
    const m = u.pathname.match(/^\/api\/orders\/(\d+)\/status$/);
    if (m && req.method === 'PUT') {
      let body = '';
      for await (const c of req) body += c;
      const o = orders.find((x) => x.id === Number(m[1]));
      o.status = JSON.parse(body).status;
      return json(200, { success: true, message: 'Order status updated', data: o });
    }
    serveBuiltFile(res, dist, u.pathname);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const assets = readdirSync(join(dist, 'assets'));
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const entry = assets.find((f) => f.endsWith('.js') && html.includes(f));
  return {
    app,
    server,
    url: `http://127.0.0.1:${server.address().port}/`,
    entryGzip: gzipSync(readFileSync(join(dist, 'assets', entry)), { level: 9 }).length,
  };
}

before(async () => {
  project = scratchProject('lean');
  mkdirSync(project, { recursive: true });
  for (const kind of Object.keys(MAIN)) apps[kind] = await buildAndServe(kind);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  for (const a of Object.values(apps)) {
    await new Promise((r) => a.server.close(r));
    rmSync(a.app, { recursive: true, force: true });
  }
});

test('with a bundler, the lean imports keep the detail view and the bulk dialog out of the start bundle, loaded when first used', async () => {
  const { full, lean } = apps;
  assert.ok(
    full.entryGzip - lean.entryGzip > 4000,
    `start bundle gzipped: orderflow/elements ${full.entryGzip} B, lean imports ${lean.entryGzip} B (docs/embedding.md: 48 KB vs 42 KB)`,
  );
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const scripts = [];
  page.on('request', (r) => {
    if (r.resourceType() === 'script') scripts.push(new URL(r.url()).pathname);
  });
  try {
    await page.goto(lean.url);
    await page.getByRole('link', { name: 'Open order 5', exact: true }).waitFor();
    const atStart = scripts.length;
    await page.getByRole('link', { name: 'Open order 5', exact: true }).click();
    await page.getByRole('heading', { name: 'Order 5', exact: true }).waitFor();
    assert.ok(scripts.length > atStart, `opening an order loaded a chunk: ${scripts.slice(atStart)}`);
    await page.getByRole('button', { name: 'Back to list' }).click();
    await page.getByRole('checkbox', { name: 'Select order 2', exact: true }).check();
    const beforeBulk = scripts.length;
    await page.getByRole('button', { name: 'Bulk Actions' }).click();
    await page.getByRole('menuitem', { name: 'Update Status' }).click();
    await page.getByRole('dialog').getByRole('heading', { name: 'Update Status of 1 selected order' }).waitFor();
    assert.ok(scripts.length > beforeBulk, `the bulk dialog came in its own chunk: ${scripts.slice(beforeBulk)}`);
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});
