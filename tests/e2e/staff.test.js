// What staff meet when the list moves under them (issue #12): an abandoned change is never sent,
// every control stays with its order through refreshes, focus comes back to the control that
// opened a dialog, a 409 shows the order as it now is, and the double-click guard is one
// dialog's. Driven by accessible names, the keyboard, and what is focused and visible.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, newPage, signIn, rowStatus, token, call, cmsOrders, focused } from './helpers.js';

let env;
let tok;

before(async () => {
  env = await setup();
  tok = await token(env.url, 'admin');
});
after(async () => {
  await env?.close();
});

const statusBox = (page, id) => page.getByRole('combobox', { name: `Status for order ${id}`, exact: true });

test('an abandoned change is never sent: offline Confirm fails, Cancel, the connection returns, nothing happens', async () => {
  const o = (await cmsOrders(env.url, tok, 'status=processing'))[0];
  const { page, context } = await newPage(env.browser);
  try {
    await signIn(page, env.url, 'admin', 'status=processing&per_page=500');
    let puts = 0;
    page.on('request', (r) => {
      if (r.method() === 'PUT') puts += 1;
    });
    await statusBox(page, o.id).focus();
    await page.keyboard.press('ArrowDown');
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Notes').fill('Changed my mind');
    await context.setOffline(true);
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await dialog
      .getByRole('alert')
      .filter({ hasText: /Network failure/ })
      .waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const focusAfterCancel = await focused(page);
    const sentBefore = puts;
    await context.setOffline(false); // fires `online`
    await page.waitForTimeout(1500);
    assert.equal(puts, sentBefore, 'nothing is sent when the connection returns');
    assert.equal(await page.getByText(`Order ${o.id} updated`).count(), 0);
    const now = (await cmsOrders(env.url, tok)).find((x) => x.id === o.id);
    assert.equal(now.lock_version, o.lock_version, 'the order did not change on the server');
    assert.equal(await rowStatus(page, o.id), 'processing');
    assert.equal(focusAfterCancel, `Status for order ${o.id}`, 'focus went back to the dropdown that opened the dialog');
  } finally {
    await context.close();
  }
});

test('a refresh under the user: the focused checkbox and dropdown keep their order, bulk acts on what was ticked', async () => {
  const all = await cmsOrders(env.url, tok, 'per_page=50');
  const firstPage = all.slice(0, 50);
  const processing = firstPage.filter((x) => x.status === 'processing');
  // an order whose row moves when the list is filtered to its status
  const x = processing.find((p, i) => firstPage.indexOf(p) !== i && i > 0);
  assert.ok(x, 'a processing order on the first page that moves when filtered');
  const { page, context } = await newPage(env.browser);
  try {
    await signIn(page, env.url, 'admin', 'per_page=50');
    let release;
    const held = new Promise((r) => {
      release = r;
    });
    await page.route('**/api/v1/orders?*', async (route) => {
      if (route.request().url().includes('status=processing')) await held;
      return route.continue();
    });
    await page.getByLabel('Filter by status').selectOption({ label: 'Processing' });
    // the old rows are still on screen while the filter's answer is on its way: tick X, go to its dropdown
    await page.getByRole('checkbox', { name: `Select order ${x.id}`, exact: true }).click();
    await page.keyboard.press('Tab'); // Open order X
    await page.keyboard.press('Tab'); // X's status dropdown
    assert.equal(await focused(page), `Status for order ${x.id}`);
    release();
    await page
      .getByText(/^\d+ orders$/)
      .filter({ hasNotText: String(all.length) })
      .first()
      .waitFor();
    await page.waitForFunction(() => true);
    assert.equal(await focused(page), `Status for order ${x.id}`, "after the refresh the focused dropdown is still X's");
    await page.keyboard.press('ArrowDown');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    assert.match(await dialog.getByRole('heading').textContent(), new RegExp(`^Change order ${x.id} to `));
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await focused(page), `Status for order ${x.id}`, 'Escape returns focus to the dropdown');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    assert.equal(await focused(page), `Select order ${x.id}`);
    assert.equal(await page.getByRole('checkbox', { name: `Select order ${x.id}`, exact: true }).isChecked(), true);
    await page.getByText('1 selected').waitFor();
    // bulk acts on the ticked order
    await page.getByRole('button', { name: 'Bulk Actions' }).click();
    await page.getByRole('menuitem', { name: 'Update Status' }).click();
    const bulk = page.getByRole('dialog');
    await bulk.getByRole('heading', { name: 'Update Status of 1 selected order' }).waitFor();
    await bulk.getByLabel('New status').selectOption({ label: 'Ready for Pickup' });
    await bulk.getByRole('button', { name: 'Confirm' }).click();
    await bulk.getByRole('heading', { name: 'Bulk update finished' }).waitFor();
    assert.deepEqual(
      await bulk
        .getByTestId('bulk-results')
        .locator('tbody tr')
        .evaluateAll((rs) => rs.map((r) => r.dataset.orderId)),
      [String(x.id)],
    );
    await bulk.getByRole('button', { name: 'Close' }).click();
    await bulk.waitFor({ state: 'hidden' });
    assert.equal(await focused(page), 'Select all orders', 'nothing is selected any more: focus on Select all, not the page');
    const now = (await cmsOrders(env.url, tok)).find((y) => y.id === x.id);
    assert.equal(now.status, 'ready_for_pickup');
  } finally {
    await context.close();
  }
});

test('focus returns after Confirm: to the dropdown, or to the order link when the order reached a final status', async () => {
  const ready = await cmsOrders(env.url, tok, 'status=ready_for_pickup');
  const a = ready.find((x) => x.payment_status === 'paid');
  const b = ready.find((x) => x !== a);
  const { page, context } = await newPage(env.browser);
  try {
    await signIn(page, env.url, 'admin', 'status=ready_for_pickup&per_page=500');
    await statusBox(page, a.id).focus();
    await page.keyboard.press('ArrowDown'); // the first offered status
    const dialog = page.getByRole('dialog');
    const title = await dialog.getByRole('heading').textContent();
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await dialog.waitFor({ state: 'hidden' });
    // Ready for Pickup offers only final statuses: the dropdown is disabled now, the row's link is focused
    assert.match(title, /Completed|Cancelled/);
    assert.equal(await focused(page), `Open order ${a.id}`);
    // Escape from a second dialog: back on that dropdown
    await statusBox(page, b.id).focus();
    await page.keyboard.press('ArrowDown');
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await focused(page), `Status for order ${b.id}`);
  } finally {
    await context.close();
  }
});

test('after a 409 the dialog shows the order as it is now and what may follow; Refresh re-reads in place', async () => {
  const o = (await cmsOrders(env.url, tok, 'status=processing&store_id=s1')).find((x) => x.payment_status === 'paid');
  const mtok = await token(env.url, 'manager');
  const { page, context } = await newPage(env.browser);
  try {
    await signIn(page, env.url, 'admin', 'status=processing&store_id=s1&per_page=500');
    await statusBox(page, o.id).selectOption({ label: 'Cancelled' });
    const dialog = page.getByRole('dialog', { name: `Change order ${o.id} to Cancelled` });
    await dialog.getByLabel('Notes').fill('Customer called');
    // meanwhile the manager marks it ready for pickup
    assert.equal(
      (await call(env.url, mtok, 'PUT', `/api/v1/orders/${o.id}`, { status: 'ready_for_pickup', lock_version: o.lock_version })).status,
      200,
    );
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    const warn = dialog.getByRole('status').filter({ hasText: /changed/ });
    await warn.waitFor();
    assert.match(await warn.textContent(), /Max Manager changed it/, 'the person, by name');
    assert.equal(await page.getByText(/lock_version|version \d|\d{4}-\d\d-\d\dT/).count(), 0, 'no internal words or raw timestamps');
    await dialog
      .getByTestId('now')
      .filter({ hasText: 'This order is now Ready for Pickup. From Ready for Pickup you may move it to: Completed or Cancelled.' })
      .waitFor();
    assert.equal(
      await dialog.getByRole('button', { name: 'Confirm' }).isDisabled(),
      false,
      'Cancelled is still allowed from Ready for Pickup',
    );
    assert.equal(await dialog.getByLabel('Notes').inputValue(), 'Customer called');
    assert.equal(await rowStatus(page, o.id), 'ready_for_pickup', 'the row shows the order as it is');
    // it moves on again; Refresh reads it in place
    const cur = (await cmsOrders(env.url, tok)).find((x) => x.id === o.id);
    assert.equal(
      (await call(env.url, mtok, 'PUT', `/api/v1/orders/${o.id}`, { status: 'completed', lock_version: cur.lock_version })).status,
      200,
    );
    await dialog.getByRole('button', { name: 'Refresh' }).click();
    await dialog
      .getByTestId('now')
      .filter({ hasText: 'This order is now Completed. From Completed no change is available to you.' })
      .waitFor();
    assert.equal(await dialog.isVisible(), true, 'Refresh keeps the dialog open');
    assert.equal(await dialog.getByRole('button', { name: 'Confirm' }).isDisabled(), true, 'the old choice is no longer allowed');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await focused(page), `Open order ${o.id}`, 'focus on the row (its dropdown is disabled now)');
    const h = (await call(env.url, tok, 'GET', `/api/v1/orders/${o.id}/history`)).body.history;
    assert.equal(h.filter((x) => x.to_status === 'cancelled').length, 0);
  } finally {
    await context.close();
  }
});

test("the double-click guard is one dialog's: a second dialog confirmed at once is sent; Updated by never reads an ISO time", async () => {
  const [a, b] = await cmsOrders(env.url, tok, 'status=new&store_id=s2');
  const { page, context } = await newPage(env.browser);
  try {
    await signIn(page, env.url, 'admin', 'status=new&store_id=s2&per_page=500');
    // the clock stands still: any guard that outlives its dialog would swallow the second Confirm
    await page.clock.setFixedTime(new Date());
    for (const o of [a, b]) {
      await statusBox(page, o.id).selectOption({ label: 'Cancelled' });
      const dialog = page.getByRole('dialog', { name: `Change order ${o.id} to Cancelled` });
      await dialog.getByRole('button', { name: 'Confirm' }).click();
      await dialog.waitFor({ state: 'hidden', timeout: 3000 });
      await page.locator(`of-order-list tr[data-order-id="${o.id}"][data-status="cancelled"]`).waitFor();
    }
    // "Updated by": a name or nothing; no raw timestamp in a cell or a tooltip
    assert.equal(await page.getByTitle(/\d{4}-\d\d-\d\dT\d\d:/).count(), 0);
    const cells = await page.getByRole('row').allInnerTexts();
    for (const c of cells) assert.doesNotMatch(c, /\d{4}-\d\d-\d\dT\d\d:/);
    const blank = (await cmsOrders(env.url, tok, 'status=new&store_id=s2')).find((x) => !x.updated_by);
    if (blank) assert.equal((await page.locator(`of-order-list tr[data-order-id="${blank.id}"] td.c-upd`).innerText()).trim(), '');
  } finally {
    await context.close();
  }
});
