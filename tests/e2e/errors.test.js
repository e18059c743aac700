// Failure handling: two users changing one order (409 → Refresh), permission refusals, a
// network failure (Retry keeps what was typed, applied once), and no double submission.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { setup, newPage, signIn, row, rowStatus, token, call, cmsOrders, history } from './helpers.js';

let env;
let tok;

before(async () => {
  env = await setup();
  tok = await token(env.url, 'admin');
});
after(async () => {
  await env?.close();
});

async function pick(pred, query) {
  const o = (await cmsOrders(env.url, tok, query)).find(pred);
  assert.ok(o, `no seeded order matches (${query})`);
  return o;
}

test('concurrent updates in two browsers: the second gets 409, sees who changed it, Refresh shows the new status', async () => {
  const o = await pick((x) => x.status === 'processing' && x.store_id === 's1', 'status=processing');
  const a = await newPage(env.browser);
  const b = await newPage(env.browser);
  try {
    await signIn(a.page, env.url, 'admin', 'status=processing&store_id=s1');
    await signIn(b.page, env.url, 'manager', 'status=processing&store_id=s1');
    // both open the confirmation for the same order
    await a.page.getByRole('combobox', { name: `Status for order ${o.id}`, exact: true }).selectOption({ label: 'Ready for Pickup' });
    await b.page.getByRole('combobox', { name: `Status for order ${o.id}`, exact: true }).selectOption({ label: 'Cancelled' });
    const da = a.page.getByRole('dialog');
    const db = b.page.getByRole('dialog');
    await db.getByLabel('Notes').fill('Customer asked to cancel');
    await da.getByRole('button', { name: 'Confirm' }).click();
    await da.waitFor({ state: 'hidden' });
    await db.getByRole('button', { name: 'Confirm' }).click();
    const warn = db.getByRole('status').filter({ hasText: /Ada Admin changed it/ });
    await warn.waitFor();
    assert.match(await warn.textContent(), /Ready for Pickup/);
    assert.equal(await db.getByLabel('Notes').inputValue(), 'Customer asked to cancel', 'what was typed is kept');
    await db.getByRole('button', { name: 'Refresh' }).click();
    await db.getByTestId('now').filter({ hasText: 'This order is now Ready for Pickup.' }).waitFor();
    assert.equal(await rowStatus(b.page, o.id), 'ready_for_pickup');
    await db.getByRole('button', { name: 'Cancel' }).click();
    await db.waitFor({ state: 'hidden' });
    const h = await history(env.url, tok, o.id);
    assert.equal(h.filter((x) => x.to_status === 'cancelled').length, 0, 'the stale change was not applied');
  } finally {
    await a.context.close();
    await b.context.close();
  }
});

test('detail form: a change made meanwhile by someone else gets 409; Refresh shows it in the timeline', async () => {
  const o = await pick((x) => x.status === 'processing' && x.store_id === 's2', 'status=processing&store_id=s2');
  const { page, context } = await newPage(env.browser);
  try {
    await signIn(page, env.url, 'admin', 'status=processing&store_id=s2');
    await page.getByRole('link', { name: `Open order ${o.id}`, exact: true }).click();
    const detail = page.locator('of-order-detail');
    await detail.getByRole('button', { name: 'Update Status' }).click();
    await detail.getByLabel('New status').selectOption({ label: 'Ready for Pickup' });
    await detail.getByLabel('Notes').fill('From the detail form');
    const mtok = await token(env.url, 'manager');
    const r = await call(env.url, mtok, 'PUT', `/api/v1/orders/${o.id}`, {
      status: 'cancelled',
      lock_version: o.lock_version,
      notes: 'Cancelled by phone',
    });
    assert.equal(r.status, 200);
    await detail.getByRole('button', { name: 'Save' }).click();
    const warn = detail.getByRole('status').filter({ hasText: /Max Manager changed it/ });
    await warn.waitFor();
    assert.equal(await detail.getByLabel('Notes').inputValue(), 'From the detail form');
    await detail.getByRole('button', { name: 'Refresh' }).click();
    await detail.locator('of-history-timeline li').filter({ hasText: 'Cancelled by phone' }).waitFor();
    assert.equal(await detail.locator('of-workflow-diagram g.current').getAttribute('data-status'), 'cancelled');
    assert.equal(await detail.getByRole('button', { name: 'Update Status' }).count(), 0, 'terminal now');
  } finally {
    await context.close();
  }
});

test('permission: a reporting user gets no status controls and is told why; fulfillment is not offered cancel', async () => {
  const { page, context } = await newPage(env.browser);
  try {
    await signIn(page, env.url, 'reporting', 'per_page=25');
    // no column of grey dropdowns, no checkboxes, a visible note, Bulk Actions never enabled
    await page.getByText('View only: your role can see these orders but not change them.').waitFor();
    assert.equal(await page.getByRole('combobox', { name: /^Status for order / }).count(), 0);
    assert.equal(await page.getByRole('checkbox').count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Bulk Actions' }).isDisabled(), true);
    const first = await page.locator('of-order-list tr.r').first().getAttribute('data-order-id');
    await page.getByRole('link', { name: `Open order ${first}`, exact: true }).click();
    await page.locator('of-order-detail [data-testid="no-change"]').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Update Status' }).count(), 0);
    const text = await page.locator('of-order-detail [data-testid="no-change"]').textContent();
    assert.match(text, /\S/);

    // fulfillment: new order offers Processing but not Cancelled or Rejected; bulk to Cancelled is refused with the reason
    await page.getByRole('button', { name: 'Sign out' }).click();
    const o = await pick((x) => x.status === 'new' && x.store_id === 's1', 'status=new&store_id=s1');
    await signIn(page, env.url, 'fulfillment', 'status=new&per_page=500');
    const labels = await page
      .getByRole('combobox', { name: `Status for order ${o.id}`, exact: true })
      .locator('option')
      .allTextContents();
    assert.ok(!labels.includes('Cancelled') && !labels.includes('Rejected'), `offered: ${labels}`);
    await page.getByRole('checkbox', { name: `Select order ${o.id}`, exact: true }).check();
    await page.getByRole('button', { name: 'Bulk Actions' }).click();
    await page.getByRole('menuitem', { name: 'Update Status' }).click();
    const dlg = page.getByRole('dialog');
    await dlg.getByLabel('New status').selectOption({ label: 'Cancelled' });
    await dlg.getByText('0 of 1').waitFor();
    const reasons = await dlg.getByRole('list', { name: 'Why some orders cannot move' }).textContent();
    assert.match(reasons, /1 order/);
    assert.equal(await dlg.getByRole('button', { name: 'Confirm' }).isDisabled(), true);
  } finally {
    await context.close();
  }
});

test('store access revoked while the page was open: the order is said to be no longer available and leaves the list (no rollback)', async () => {
  const o = await pick((x) => x.status === 'processing' && x.store_id === 's1', 'status=processing&store_id=s1');
  const { page, context } = await newPage(env.browser);
  const db = new Database(join(env.server.dataDir, 'orderflow.sqlite'));
  try {
    await signIn(page, env.url, 'manager', 'status=processing&store_id=s1');
    // the store filter offers only the manager's own stores (s1, s2), never one that would be refused
    const filter = page.getByRole('combobox', { name: 'Filter by store' });
    await filter.locator('option', { hasText: 'Uptown' }).waitFor({ state: 'attached' });
    assert.deepEqual(await filter.locator('option').allTextContents(), ['All stores', 'Downtown', 'Uptown']);
    // an administrator takes store s1 away from the manager; the open page still offers the change.
    // The server answers an order outside the user's stores exactly like a missing one (404).
    db.prepare('UPDATE users SET stores = ? WHERE username = ?').run(JSON.stringify(['s2']), 'manager');
    await page.getByRole('combobox', { name: `Status for order ${o.id}`, exact: true }).selectOption({ label: 'Ready for Pickup' });
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await page.getByText(`Order ${o.id} is no longer available to you`).waitFor();
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await row(page, o.id).count(), 0, 'the row left the list');
    assert.equal(await page.getByText(/You may not do this|rolled back/).count(), 0);
    // focus is on a control of the list, not lost to the page body
    const focused = await page.evaluate(() => {
      let a = document.activeElement;
      while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
      let n = a;
      let tr = null;
      let inList = false;
      while (n) {
        tr ??= n.closest?.('tr[data-order-id]');
        if (n.tagName === 'OF-ORDER-LIST') inList = true;
        n = n.parentNode ?? n.host;
      }
      return { tag: a?.tagName, inList, order: tr?.dataset.orderId ?? null };
    });
    assert.ok(focused.inList, `focus is in the list (on ${focused.tag})`);
    assert.notEqual(focused.order, String(o.id));
    const now = (await cmsOrders(env.url, tok)).find((x) => x.id === o.id);
    assert.equal(now.lock_version, o.lock_version, 'nothing changed on the server');
  } finally {
    db.prepare('UPDATE users SET stores = ? WHERE username = ?').run(JSON.stringify(['s1', 's2']), 'manager');
    db.close();
    await context.close();
  }
});

test('a server 403 says the user may not do this (role changed to read-only while the page was open)', async () => {
  const o = await pick((x) => x.status === 'processing' && x.store_id === 's1', 'status=processing&store_id=s1');
  const { page, context } = await newPage(env.browser);
  const db = new Database(join(env.server.dataDir, 'orderflow.sqlite'));
  const roles = db.prepare('SELECT roles FROM users WHERE username = ?').get('manager').roles;
  try {
    await signIn(page, env.url, 'manager', 'status=processing&store_id=s1');
    // an administrator makes the manager a reporting (read-only) user; the open page still offers the change
    db.prepare('UPDATE users SET roles = ? WHERE username = ?').run(JSON.stringify({ ...JSON.parse(roles), cms: 'reporting' }), 'manager');
    const mtok = await token(env.url, 'manager');
    const direct = await call(env.url, mtok, 'PUT', `/api/v1/orders/${o.id}`, { status: 'ready_for_pickup', lock_version: o.lock_version });
    assert.equal(direct.status, 403, `the server refuses a read-only role with 403 (got ${direct.status})`);
    await page.getByRole('combobox', { name: `Status for order ${o.id}`, exact: true }).selectOption({ label: 'Ready for Pickup' });
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await dialog
      .getByRole('alert')
      .filter({ hasText: /You may not do this/ })
      .waitFor();
    assert.equal(await rowStatus(page, o.id), 'processing', 'the row shows the status the server kept');
    const now = (await cmsOrders(env.url, tok)).find((x) => x.id === o.id);
    assert.equal(now.lock_version, o.lock_version, 'nothing changed on the server');
  } finally {
    db.prepare('UPDATE users SET roles = ? WHERE username = ?').run(roles, 'manager');
    db.close();
    await context.close();
  }
});

test('network failure: Retry keeps the notes and applies the change exactly once', async () => {
  const o = await pick((x) => x.status === 'processing', 'status=processing');
  const { page, context } = await newPage(env.browser);
  try {
    await signIn(page, env.url, 'admin', 'status=processing&per_page=500');
    let failNext = true;
    const keys = [];
    await page.route(`**/api/v1/orders/${o.id}`, async (route) => {
      if (route.request().method() !== 'PUT') return route.continue();
      keys.push(route.request().headers()['idempotency-key']);
      if (failNext) {
        failNext = false;
        return route.abort('internetdisconnected');
      }
      return route.continue();
    });
    await page.getByRole('combobox', { name: `Status for order ${o.id}`, exact: true }).selectOption({ label: 'Ready for Pickup' });
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Notes').fill('Shelf B, bag 4');
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await dialog
      .getByRole('alert')
      .filter({ hasText: /Network failure/ })
      .waitFor();
    assert.equal(await rowStatus(page, o.id), 'processing', 'optimistic update rolled back');
    assert.equal(await dialog.getByLabel('Notes').inputValue(), 'Shelf B, bag 4', 'notes kept');
    await dialog.getByRole('button', { name: 'Retry' }).click();
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await rowStatus(page, o.id), 'ready_for_pickup');
    assert.equal(keys.length, 2);
    assert.equal(keys[0], keys[1], 'the retry reuses the Idempotency-Key of the attempt');
    const h = (await history(env.url, tok, o.id)).filter((x) => x.notes === 'Shelf B, bag 4');
    assert.equal(h.length, 1, 'applied once');
  } finally {
    await context.close();
  }
});

test('offline: the change fails, what was typed stays, and it is sent by itself when the connection returns', async () => {
  const o = await pick((x) => x.status === 'processing', 'status=processing');
  const { page, context } = await newPage(env.browser);
  try {
    await signIn(page, env.url, 'admin', 'status=processing&per_page=500');
    await page.getByRole('combobox', { name: `Status for order ${o.id}`, exact: true }).selectOption({ label: 'Ready for Pickup' });
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Notes').fill('Sent when back online');
    await context.setOffline(true);
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await dialog
      .getByRole('alert')
      .filter({ hasText: /Network failure/ })
      .waitFor();
    assert.equal(await dialog.getByLabel('Notes').inputValue(), 'Sent when back online');
    assert.equal((await cmsOrders(env.url, tok)).find((x) => x.id === o.id).lock_version, o.lock_version);
    await context.setOffline(false); // fires the page's `online` event
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await rowStatus(page, o.id), 'ready_for_pickup');
    const h = (await history(env.url, tok, o.id)).filter((x) => x.notes === 'Sent when back online');
    assert.equal(h.length, 1);
  } finally {
    await context.close();
  }
});

test('no double submission: a double click sends one request', async () => {
  const o = await pick((x) => x.status === 'processing', 'status=processing');
  const { page, context } = await newPage(env.browser);
  try {
    await signIn(page, env.url, 'admin', 'status=processing&per_page=500');
    let puts = 0;
    await page.route(`**/api/v1/orders/${o.id}`, async (route) => {
      if (route.request().method() === 'PUT') {
        puts += 1;
        await new Promise((r) => setTimeout(r, 300));
      }
      return route.continue();
    });
    await page.getByRole('combobox', { name: `Status for order ${o.id}`, exact: true }).selectOption({ label: 'Ready for Pickup' });
    const confirm = page.getByRole('dialog').getByRole('button', { name: 'Confirm' });
    await confirm.dblclick();
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    assert.equal(puts, 1);
    assert.equal(await rowStatus(page, o.id), 'ready_for_pickup');
  } finally {
    await context.close();
  }
});
