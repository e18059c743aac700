// The Vite + React sample (examples/vite-react) built as a user would build it: its files in a
// scratch project that has the packed orderflow tarball, react and react-dom installed, then
// `vite build`; the built page is served statically and must render a working status dropdown.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { launchChromium } from '../support/chromium.js';
import { serveBuiltFile } from '../support/static-files.js';
import { ROOT, scratchProject } from '../node/support/package.js';

let app;
let server;
let url;
let browser;

before(async () => {
  const project = scratchProject('react', ['react', 'react-dom']);
  app = mkdtempSync(join(project, 'app-'));
  for (const f of ['index.html', 'vite.config.js', 'src']) cpSync(join(ROOT, 'examples/vite-react', f), join(app, f), { recursive: true });
  // the repository's own Vite (the sample lists it as a devDependency; the scratch project does not install it)
  execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], {
    cwd: app,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server = createServer((req, res) => serveBuiltFile(res, join(app, 'dist'), new URL(req.url, 'http://x').pathname));
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${server.address().port}/`;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await new Promise((r) => (server ? server.close(r) : r()));
  if (app) rmSync(app, { recursive: true, force: true });
});

test('vite build of the React sample ships the wasm as an asset and renders a working status dropdown', async () => {
  const assets = readdirSync(join(app, 'dist', 'assets'));
  assert.ok(
    assets.some((f) => f.endsWith('.wasm')),
    `wasm emitted: ${assets}`,
  );
  const page = await browser.newPage();
  const errors = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    await page.goto(url);
    const pending = page.getByRole('combobox', { name: 'Status for order 1001', exact: true });
    await pending.waitFor();
    // the dropdown offers the next statuses only (the badge beside it shows the current one)
    assert.deepEqual(
      (await pending.locator('option').allTextContents()).map((t) => t.trim()),
      ['Change to…', 'Confirmed', 'Cancelled'],
    );
    const badge = (id) => page.getByTestId(`status-${id}`).locator('of-status-badge span');
    assert.equal(await badge(1001).textContent(), 'Pending');
    // a legacy stored value reads as its current status; a final status offers nothing
    assert.equal(await badge(1002).textContent(), 'In Transit');
    assert.equal(await page.getByRole('combobox', { name: 'Status for order 1003', exact: true }).isDisabled(), true);
    await pending.selectOption({ label: 'Confirmed' });
    await page.getByRole('status').filter({ hasText: 'Order 1001 is now Confirmed.' }).waitFor();
    assert.equal(await badge(1001).textContent(), 'Confirmed');
    assert.deepEqual(
      (await pending.locator('option').allTextContents()).map((t) => t.trim()).slice(1),
      ['Assigned', 'Cancelled'],
      'and offers what follows Confirmed',
    );
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});
