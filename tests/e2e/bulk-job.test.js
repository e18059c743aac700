// A bulk of more than 500 orders on the demo page: the reference server runs it as a background
// job (202 + job id, issue 13); the workspace sends the selection once, the dialog shows the
// job's progress and ends with the same per-order results and counts as a chunked bulk, and
// every order is changed exactly once (the server's history).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { setup, newPage, signIn, token, cmsOrders, rowStatus } from './helpers.js';

let env;
let tok;

// 1,500 orders; the job pauses 150 ms between its chunks of 50 so its progress can be seen
before(async () => {
  env = await setup({ env: { ORDERFLOW_SEED_CMS_ORDERS: '1500', ORDERFLOW_TEST_BULK_PAUSE_MS: '150' } });
  tok = await token(env.url, 'admin');
});
after(async () => {
  await env?.close();
});

test('a bulk of 600+ orders runs as a server job: one request, progress in the dialog, per-order results, each order changed once', async () => {
  const all = await cmsOrders(env.url, tok);
  const open = all.filter((o) => ['new', 'processing', 'ready_for_pickup'].includes(o.status));
  const closed = all.filter((o) => !open.includes(o));
  assert.ok(open.length > 600, `need a bulk above the job threshold (${open.length} open orders)`);
  const { page, context } = await newPage(env.browser);
  try {
    const posts = [];
    const jobs = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/api/v1/orders/bulk_update')) posts.push(JSON.parse(r.postData()).order_ids.length);
    });
    page.on('response', (r) => {
      if (/\/api\/v1\/orders\/bulk_update$/.test(r.url())) jobs.push(r.status());
    });
    await signIn(page, env.url, 'admin', 'per_page=5000');
    await page.getByRole('checkbox', { name: 'Select all orders' }).check();
    await page.getByText(`${all.length.toLocaleString('en')} selected`).waitFor();
    await page.getByRole('button', { name: 'Bulk Actions' }).click();
    await page.getByRole('menuitem', { name: 'Update Status' }).click();
    const dlg = page.getByRole('dialog');
    await dlg.getByLabel('New status').selectOption({ label: 'Cancelled' });
    assert.equal(
      await dlg.getByTestId('eligible-count').textContent(),
      `${open.length.toLocaleString('en')} of ${all.length.toLocaleString('en')}`,
    );
    await dlg.getByLabel('Notes').fill('Big clean-up');
    await dlg.getByRole('button', { name: 'Confirm' }).click();

    // what staff see while it runs: "n of N orders processed", moving
    const seen = new Set();
    const progress = dlg.getByTestId('bulk-progress');
    const finished = dlg.getByRole('heading', { name: 'Bulk update finished' });
    const deadline = Date.now() + 60000;
    while (!(await finished.isVisible()) && Date.now() < deadline) {
      const text = await progress.textContent().catch(() => null);
      const m = text && new RegExp(`^\\s*([\\d,]+) of ${open.length.toLocaleString('en')} orders processed`).exec(text);
      if (m) seen.add(Number(m[1].replace(/,/g, '')));
      await page.waitForTimeout(100);
    }
    await finished.waitFor();
    assert.ok(
      [...seen].some((n) => n > 0 && n < open.length),
      `progress part-way was shown: ${[...seen].join(', ')}`,
    );
    assert.deepEqual(posts, [open.length], 'one request with every eligible order (not chunks of 100)');
    assert.deepEqual(jobs, [202], 'the server took it as a job');

    await dlg
      .getByRole('status')
      .filter({ hasText: `${open.length.toLocaleString('en')} updated, 0 failed, ${closed.length.toLocaleString('en')} skipped.` })
      .waitFor();
    const results = dlg.getByTestId('bulk-results');
    assert.equal(await results.locator('td.ok').count(), open.length, 'a result per order');
    assert.equal(await results.locator('td.skip').count(), closed.length);
    await dlg.getByRole('button', { name: 'Close' }).click();
    assert.equal(await rowStatus(page, open[0].id), 'cancelled');

    // each order changed exactly once, by this bulk
    const db = new Database(join(env.server.dataDir, 'orderflow.sqlite'), { readonly: true });
    try {
      const rows = db
        .prepare("SELECT order_id, COUNT(*) AS n FROM history WHERE to_status = 'cancelled' AND notes = 'Big clean-up' GROUP BY order_id")
        .all();
      assert.equal(rows.length, open.length);
      assert.ok(
        rows.every((r) => r.n === 1),
        'no order changed twice',
      );
    } finally {
      db.close();
    }
    const now = new Map((await cmsOrders(env.url, tok)).map((o) => [o.id, o]));
    for (const o of closed) assert.equal(now.get(o.id).lock_version, o.lock_version, `skipped order ${o.id} untouched`);
    assert.deepEqual(page.errorsSeen, []);
  } finally {
    await context.close();
  }
});
