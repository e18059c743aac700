// Bulk results as staff read them (issue #12): the orders the engine refused before sending are
// counted and listed as skipped, and "Retry failed" is offered only for failures a retry could
// fix (a server error), never for an engine refusal (here: a final status reached meanwhile).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from '../support/chromium.js';
import { startServer } from '../support/server.js';
import { newPage, signIn, token, call, cmsOrders } from './helpers.js';

let dir;
let srv;
let browser;
let ids;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'orderflow-bulk-'));
  // the seed is the same on every start: read which orders to use, then restart with one of
  // them made to fail on the server (its change throws: a 500 for that order only)
  srv = await startServer({ dataDir: dir, env: { ORDERFLOW_RATE_LIMIT: 'off' } });
  const tok = await token(srv.url, 'admin');
  const fresh = await cmsOrders(srv.url, tok, 'status=new&store_id=s1');
  const done = await cmsOrders(srv.url, tok, 'status=completed&store_id=s1');
  ids = { a: fresh[0].id, b: fresh[1].id, c: fresh[2].id, d: done[0].id };
  await srv.stop();
  srv = await startServer({ dataDir: dir, env: { ORDERFLOW_RATE_LIMIT: 'off', ORDERFLOW_TEST_FAIL_ORDER_IDS: String(ids.c) } });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('bulk: skipped orders are counted and listed; Retry failed only re-sends what could succeed', async () => {
  const { page, context } = await newPage(browser);
  try {
    await signIn(page, srv.url, 'admin', 'store_id=s1&per_page=500');
    for (const id of Object.values(ids)) await page.getByRole('checkbox', { name: `Select order ${id}`, exact: true }).check();
    await page.getByRole('button', { name: 'Bulk Actions' }).click();
    await page.getByRole('menuitem', { name: 'Update Status' }).click();
    const dlg = page.getByRole('dialog');
    await dlg.getByLabel('New status').selectOption({ label: 'Cancelled' });
    assert.equal(await dlg.getByTestId('eligible-count').textContent(), '3 of 4');
    // meanwhile a manager cancels order b: the server's engine will refuse it (final status)
    const mtok = await token(srv.url, 'manager');
    const b = (await cmsOrders(srv.url, mtok)).find((o) => o.id === ids.b);
    assert.equal(
      (await call(srv.url, mtok, 'PUT', `/api/v1/orders/${ids.b}`, { status: 'cancelled', lock_version: b.lock_version })).status,
      200,
    );
    const sent = [];
    await page.route('**/api/v1/orders/bulk_update', (route) => {
      sent.push(JSON.parse(route.request().postData()).order_ids);
      return route.continue();
    });
    await dlg.getByRole('button', { name: 'Confirm' }).click();
    await dlg.getByRole('heading', { name: 'Bulk update finished' }).waitFor();
    await dlg.getByRole('status').filter({ hasText: '1 updated, 2 failed, 1 skipped.' }).waitFor();
    const results = dlg.getByTestId('bulk-results');
    const result = async (id) => (await results.locator(`tr[data-order-id="${id}"] td`).allInnerTexts()).slice(1);
    assert.equal((await result(ids.a))[0], 'Updated');
    assert.equal((await result(ids.b))[0], 'Failed');
    assert.equal((await result(ids.c))[0], 'Failed');
    assert.equal((await result(ids.d))[0], 'Skipped (not sent)');
    assert.match((await result(ids.d))[1], /\S/, "the engine's reason for the skipped order");
    assert.deepEqual(sent, [[ids.a, ids.b, ids.c]], 'the skipped order was not sent');
    // only the server error can succeed on a retry; the final status cannot
    const retry = dlg.getByRole('button', { name: /^Retry failed/ });
    assert.equal(await retry.textContent(), 'Retry failed (1)');
    await retry.click();
    await dlg.getByRole('heading', { name: 'Bulk update finished' }).waitFor();
    assert.deepEqual(sent[1], [ids.c], 'Retry re-sends only the order that could succeed');
  } finally {
    await context.close();
  }
});
