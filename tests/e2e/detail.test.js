// The order detail view (Update Status → form → Save, history timeline, workflow diagram),
// live updates from the server's event stream, and the keyboard-only flow.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, newPage, signIn, row, rowStatus, token, cmsOrders, history, screenshot } from './helpers.js';

let env;
let tok;

before(async () => {
  env = await setup();
  tok = await token(env.url, 'admin');
});
after(async () => {
  await env?.close();
});

const inStock = (o) => o.items.length > 0 && o.items.every((i) => i.in_stock === true);

test('detail: Update Status shows required fields only when needed, Save updates badge, timeline and diagram', async () => {
  // paid, so Completed is open from Processing (the diagram draws a next status a guard blocks as out of reach)
  const o = (await cmsOrders(env.url, tok, 'status=new')).find(
    (x) => inStock(x) && x.payment_status === 'paid' && ['s1', 's2'].includes(x.store_id),
  );
  const { page, context } = await newPage(env.browser);
  try {
    await signIn(page, env.url, 'manager', 'status=new&per_page=500');
    await page.getByRole('link', { name: `Open order ${o.id}`, exact: true }).click();
    const detail = page.locator('of-order-detail');
    await detail.getByRole('heading', { name: `Order ${o.id}`, exact: true }).waitFor();
    const before = await history(env.url, tok, o.id);
    // the history arrives after the heading (its own request): wait for its last entry, as a reader would
    await detail
      .locator('of-history-timeline li')
      .nth(before.length - 1)
      .waitFor();
    assert.equal(await detail.locator('of-history-timeline li').count(), before.length);
    assert.equal(await detail.locator('of-workflow-diagram g.current').getAttribute('data-status'), 'new');

    await detail.getByRole('button', { name: 'Update Status' }).click();
    const select = detail.getByLabel('New status');
    const save = detail.getByRole('button', { name: 'Save' });
    assert.equal(await save.isDisabled(), true, 'nothing chosen yet');
    await select.selectOption({ label: 'Rejected' });
    await detail.getByLabel('Rejection reason').waitFor();
    assert.equal(await save.isDisabled(), true, 'reason required');
    await select.selectOption({ label: 'Processing' });
    assert.equal(await detail.getByLabel('Rejection reason').count(), 0, 'only shown when the status needs it');
    await detail.getByLabel('Notes').fill('Picked by Max');
    await save.click();
    await page
      .getByRole('status')
      .filter({ hasText: `Order ${o.id} updated: New → Processing.` })
      .waitFor();
    await detail.locator('of-history-timeline li').nth(before.length).waitFor();
    const last = detail.locator('of-history-timeline li').last();
    assert.match(await last.textContent(), /by Max Manager/, 'the display name, not the username');
    assert.match(await last.textContent(), /in the staff screen/, 'the source in words, not "ui"');
    assert.equal(await last.locator('.notes').textContent(), 'Picked by Max');
    assert.ok(await last.locator('time').getAttribute('datetime'));
    assert.equal(await detail.locator('of-workflow-diagram g.current').getAttribute('data-status'), 'processing');
    const next = await detail.locator('of-workflow-diagram g.next').evaluateAll((gs) => gs.map((g) => g.dataset.status).sort());
    assert.deepEqual(next, ['cancelled', 'completed', 'ready_for_pickup'], 'what a store manager may pick next from Processing');
    await screenshot(page, 'detail.png');
    await detail.getByRole('button', { name: 'Back to list' }).click();
    assert.equal(await rowStatus(page, o.id), 'processing');
  } finally {
    await context.close();
  }
});

test('live updates: a change from the POS appears in an open list without reloading', async () => {
  const o = (await cmsOrders(env.url, tok, 'status=processing'))[0];
  const { page, context } = await newPage(env.browser);
  try {
    await signIn(page, env.url, 'admin', 'status=processing&per_page=500');
    await page.waitForTimeout(300); // event stream connected
    const r = await fetch(`${env.url}/api/v1/webhooks/pos`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Webhook-Secret': 'demo-pos-secret' },
      body: JSON.stringify({ order_id: o.id, status: 'ready_for_pickup', notes: 'Scanned at till 2' }),
    });
    assert.equal(r.status, 200);
    await row(page, o.id).and(page.locator('[data-status="ready_for_pickup"]')).waitFor();
    assert.match(await row(page, o.id).locator('td.c-upd').textContent(), /\S/);
  } finally {
    await context.close();
  }
});

test('keyboard only: dropdown, dialog with focus kept inside, Escape cancels, Enter confirms', async () => {
  const o = (await cmsOrders(env.url, tok, 'status=processing'))[1];
  const { page, context } = await newPage(env.browser);
  try {
    await signIn(page, env.url, 'admin', 'status=processing&per_page=500');
    const dd = page.getByRole('combobox', { name: `Status for order ${o.id}`, exact: true });
    await dd.focus();
    await page.keyboard.press('ArrowDown'); // picks the first allowed status and opens the dialog
    const dlg = page.getByRole('dialog');
    await dlg.waitFor();
    const focusedInDialog = () =>
      page.evaluate(() => {
        let a = document.activeElement;
        while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
        return !!a?.closest('dialog');
      });
    assert.equal(await focusedInDialog(), true, 'focus moves into the dialog');
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('Tab');
      assert.equal(await focusedInDialog(), true, `focus stays in the dialog after ${i + 1} Tab`);
    }
    await page.keyboard.press('Escape');
    await dlg.waitFor({ state: 'hidden' });
    assert.equal(await rowStatus(page, o.id), 'processing', 'Escape changes nothing');

    await dd.focus();
    await page.keyboard.press('ArrowDown');
    await dlg.waitFor();
    await page.keyboard.type('Via keyboard');
    await page.keyboard.press('Tab'); // Cancel
    await page.keyboard.press('Tab'); // Confirm
    await page.keyboard.press('Enter');
    await dlg.waitFor({ state: 'hidden' });
    assert.notEqual(await rowStatus(page, o.id), 'processing');
    assert.equal((await history(env.url, tok, o.id)).at(-1).notes, 'Via keyboard');
  } finally {
    await context.close();
  }
});

test('detail: why nothing may change, and which items are short, in plain words from the engine', async () => {
  const done = (await cmsOrders(env.url, tok, 'status=completed')).find((x) => ['s1', 's2'].includes(x.store_id));
  const short = (await cmsOrders(env.url, tok, 'status=new')).find(
    (x) => ['s1', 's2'].includes(x.store_id) && x.items.some((i) => i.in_stock === false),
  );
  assert.ok(done && short, 'the demo data has a completed order and a new one with an item out of stock');
  const { page, context } = await newPage(env.browser);
  try {
    await signIn(page, env.url, 'manager', 'per_page=500');
    await page.getByRole('link', { name: `Open order ${done.id}`, exact: true }).click();
    const detail = page.locator('of-order-detail');
    await detail.getByRole('heading', { name: `Order ${done.id}`, exact: true }).waitFor();
    assert.equal(await detail.getByTestId('no-change').textContent(), 'Completed is a final status: this order can no longer change.');
    assert.equal(await detail.getByRole('button', { name: 'Update Status' }).count(), 0);
    await detail.getByRole('button', { name: 'Back to list' }).click();

    await page.getByRole('link', { name: `Open order ${short.id}`, exact: true }).click();
    await detail.getByRole('heading', { name: `Order ${short.id}`, exact: true }).waitFor();
    assert.equal(await detail.getByTestId('no-change').count(), 0, 'a new order in their store: changes are offered');
    await detail.getByRole('button', { name: 'Update Status' }).click();
    // Processing is listed unavailable before anyone picks it, the short items named in its description
    const missing = short.items.filter((i) => i.in_stock === false);
    const named = missing.slice(0, 5).map((i) => `"${i.sku}" (${i.quantity} ordered)`);
    const sentence = `Not enough in stock: ${named.length > 1 ? `${named.slice(0, -1).join(', ')} and ${named.at(-1)}` : named[0]}.`;
    const select = detail.getByLabel('New status');
    const endsWith = new RegExp(`${sentence.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
    const processing = select.getByRole('option', { name: 'Processing (unavailable)', exact: true, description: endsWith });
    assert.equal(await processing.count(), 1, `described by a sentence ending "${sentence}"`);
    assert.equal(await processing.isDisabled(), true);
    assert.equal(await select.getByRole('option', { name: 'Cancelled', exact: true }).isDisabled(), false);
    assert.equal(await detail.getByRole('button', { name: 'Save' }).isDisabled(), true);
  } finally {
    await context.close();
  }
});
