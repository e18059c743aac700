// Bulk status update: eligibility preview from the engine, required fields asked once, chunked
// requests with visible progress, per-order results, and Retry failed re-sending only those.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, newPage, signIn, rowStatus, token, cmsOrders, history, screenshot } from './helpers.js';

let env;
let tok;

before(async () => {
  env = await setup();
  tok = await token(env.url, 'admin');
});
after(async () => {
  await env?.close();
});

async function openBulk(page) {
  await page.getByRole('button', { name: 'Bulk Actions' }).click();
  await page.getByRole('menuitem', { name: 'Update Status' }).click();
  const dlg = page.getByRole('dialog');
  await dlg.waitFor();
  return dlg;
}

test('bulk with mixed eligibility: preview, progress, per-order results, Retry failed re-sends only the failed', async () => {
  const all = await cmsOrders(env.url, tok);
  const open = all.filter((o) => ['new', 'processing', 'ready_for_pickup'].includes(o.status));
  const closed = all.filter((o) => !open.includes(o));
  assert.ok(open.length > 100, `need more than one chunk of eligible orders (${open.length})`);
  const { page, context } = await newPage(env.browser);
  try {
    await signIn(page, env.url, 'admin', 'per_page=500');
    await page.getByRole('checkbox', { name: 'Select all orders' }).check();
    await page.getByText(`${all.length} selected`).waitFor();
    const dlg = await openBulk(page);
    await dlg.getByRole('heading', { name: `Update Status of ${all.length} selected orders` }).waitFor();
    await dlg.getByLabel('New status').selectOption({ label: 'Cancelled' });
    assert.equal(await dlg.getByTestId('eligible-count').textContent(), `${open.length} of ${all.length}`);
    assert.equal(await dlg.getByTestId('blocked-count').textContent(), String(closed.length));
    const groups = dlg.getByRole('list', { name: 'Why some orders cannot move' }).getByRole('listitem');
    assert.ok((await groups.count()) >= 1);
    const grouped = (await groups.allTextContents()).map((t) => Number(/^(\d+) orders?:/.exec(t.trim())?.[1]));
    assert.equal(
      grouped.reduce((a, b) => a + b, 0),
      closed.length,
      'every blocked order is in one reason group',
    );
    await dlg.getByLabel('Notes').fill('Store closed for inventory');
    await screenshot(page, 'bulk-preview.png');

    // the second chunk's request is lost on the way; the first is slowed so progress is visible
    const sent = [];
    let n = 0;
    await page.route('**/api/v1/orders/bulk_update', async (route) => {
      const body = JSON.parse(route.request().postData());
      sent.push(body.order_ids);
      n += 1;
      if (n === 1) {
        await new Promise((r) => setTimeout(r, 400));
        return route.continue();
      }
      if (n === 2) return route.abort('connectionreset');
      return route.continue();
    });
    await dlg.getByRole('button', { name: 'Confirm' }).click();
    await dlg.getByRole('progressbar', { name: 'Bulk update progress' }).waitFor();
    await dlg
      .getByTestId('bulk-progress')
      .filter({ hasText: `0 of ${open.length} orders processed` })
      .waitFor();
    await dlg.getByRole('heading', { name: 'Bulk update finished' }).waitFor();
    assert.ok(
      sent.every((ids) => ids.length <= 100),
      'chunks of at most 100 ids',
    );
    assert.deepEqual(
      sent.flat().sort((a, b) => a - b),
      open.map((o) => o.id).sort((a, b) => a - b),
      'only eligible orders are sent',
    );
    const failedIds = sent[1];
    const results = dlg.getByTestId('bulk-results');
    assert.equal(await results.locator('td.ok').count(), open.length - failedIds.length);
    assert.equal(await results.locator('td.bad').count(), failedIds.length);
    assert.equal(await results.locator('td.skip').count(), closed.length, 'the orders the engine refused are listed as skipped');
    await dlg
      .getByRole('status')
      .filter({ hasText: `, ${failedIds.length} failed, ${closed.length} skipped.` })
      .waitFor();
    assert.match(await results.locator(`tr[data-order-id="${failedIds[0]}"]`).textContent(), /Network failure/);
    await screenshot(page, 'bulk-results-partial.png');

    await dlg.getByRole('button', { name: `Retry failed (${failedIds.length})` }).click();
    await dlg.getByRole('heading', { name: 'Bulk update finished' }).waitFor();
    await dlg
      .getByRole('status')
      .filter({ hasText: `${open.length} updated, 0 failed, ${closed.length} skipped.` })
      .waitFor();
    assert.deepEqual(sent[2], failedIds, 'Retry failed re-sends exactly the failed ids');
    assert.equal(sent.length, 3);
    assert.equal(await dlg.getByRole('button', { name: 'Retry failed' }).count(), 0);
    await screenshot(page, 'bulk-results.png');
    await dlg.getByRole('button', { name: 'Close' }).click();
    assert.equal(await rowStatus(page, open[0].id), 'cancelled');

    const now = await cmsOrders(env.url, tok);
    const byId = new Map(now.map((o) => [o.id, o]));
    for (const o of open) assert.equal(byId.get(o.id).status, 'cancelled');
    for (const o of closed) assert.equal(byId.get(o.id).lock_version, o.lock_version, `blocked order ${o.id} untouched`);
    const h = await history(env.url, tok, failedIds[0]);
    assert.equal(h.filter((x) => x.to_status === 'cancelled').length, 1);
    assert.equal(h.at(-1).notes, 'Store closed for inventory');
    assert.equal(h.at(-1).source, 'bulk');
  } finally {
    await context.close();
  }
});

test('bulk required field: asked once, Confirm refused until given, saved on every order', async () => {
  const { page, context } = await newPage(env.browser);
  // a fresh server: the previous test cancelled every open order
  const own = await setup();
  try {
    const otok = await token(own.url, 'admin');
    const fresh = (await cmsOrders(own.url, otok, 'status=new')).slice(0, 5);
    await signIn(page, own.url, 'admin', 'status=new&per_page=500');
    for (const o of fresh) await page.getByRole('checkbox', { name: `Select order ${o.id}`, exact: true }).check();
    const dlg = await openBulk(page);
    await dlg.getByLabel('New status').selectOption({ label: 'Rejected' });
    const reason = dlg.getByLabel('Rejection reason');
    await reason.waitFor();
    const confirm = dlg.getByRole('button', { name: 'Confirm' });
    assert.equal(await confirm.isDisabled(), true);
    assert.equal(await dlg.getByTestId('eligible-count').textContent(), `0 of ${fresh.length}`);
    await reason.fill('Duplicate order');
    await dlg
      .getByTestId('eligible-count')
      .filter({ hasText: `${fresh.length} of ${fresh.length}` })
      .waitFor();
    assert.equal(await confirm.isDisabled(), false);
    await confirm.click();
    await dlg
      .getByRole('status')
      .filter({ hasText: `${fresh.length} updated, 0 failed.` })
      .waitFor();
    for (const o of fresh) {
      const last = (await history(own.url, otok, o.id)).at(-1);
      assert.equal(last.to_status, 'rejected');
      assert.equal(last.fields.rejection_reason, 'Duplicate order');
    }
  } finally {
    await context.close();
    await own.close();
  }
});
