// The delivery workflow: the admin panel's Accept / Decline / Next / Cancel buttons (from the
// engine's action labels), legacy stored values shown as their current status, and a driver's
// narrower choices.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, newPage, signIn, row, rowStatus, token, deliveryOrders, history, screenshot } from './helpers.js';

let env;
let tok;

before(async () => {
  env = await setup();
  tok = await token(env.url, 'admin');
});
after(async () => {
  await env?.close();
});

const buttons = async (page, id) => (await row(page, id).locator('td.c-change button').allTextContents()).map((t) => t.trim());

test('admin actions: Accept, then forward buttons that name their target; Delivered (final) and Decline ask first', async () => {
  const pending = await deliveryOrders(env.url, tok, 'status=pending');
  // o is walked to delivered: every item in stock (stock is shared with the cms workflow, and
  // the server refuses a reservation over what is on hand)
  const o = pending.find((x) => x.items.every((i) => i.in_stock));
  const p = pending.find((x) => x !== o);
  const { page, context } = await newPage(env.browser);
  try {
    await signIn(page, env.url, 'admin', 'workflow=delivery&status=pending&per_page=500');
    assert.deepEqual(await buttons(page, o.id), ['Accept', 'Decline']);
    await row(page, o.id).getByRole('button', { name: 'Accept' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Order ${o.id} updated: Pending → Confirmed.` })
      .waitFor();
    assert.equal(await rowStatus(page, o.id), 'confirmed');
    // the workflow's "Next" leads to three statuses: each button says which
    assert.deepEqual(await buttons(page, o.id), ['Mark Assigned', 'Cancel']);
    assert.equal(
      await page.getByRole('combobox', { name: `Status for order ${o.id}`, exact: true }).count(),
      0,
      'no dropdown repeating the buttons',
    );
    for (const [label, next] of [
      ['Mark Assigned', 'assigned'],
      ['Mark In Transit', 'in_transit'],
    ]) {
      await row(page, o.id).getByRole('button', { name: label }).click();
      await row(page, o.id)
        .and(page.locator(`[data-status="${next}"]`))
        .waitFor();
    }
    // Delivered is final: one click asks first, nothing is sent until Confirm
    await row(page, o.id).getByRole('button', { name: 'Mark Delivered' }).click();
    const final = page.getByRole('dialog', { name: `Change order ${o.id} to Delivered`, exact: true });
    await final.waitFor();
    assert.equal(await rowStatus(page, o.id), 'in_transit');
    await final.getByRole('button', { name: 'Confirm' }).click();
    await row(page, o.id).and(page.locator('[data-status="delivered"]')).waitFor();
    assert.deepEqual(await buttons(page, o.id), [], 'delivered is final');
    const h = await history(env.url, tok, o.id, 'delivery');
    assert.deepEqual(
      h.slice(-4).map((x) => x.to_status),
      ['confirmed', 'assigned', 'in_transit', 'delivered'],
    );

    // Decline needs a confirmation (the workflow says so)
    await row(page, p.id).getByRole('button', { name: 'Decline' }).click();
    const dlg = page.getByRole('dialog', { name: `Change order ${p.id} to Cancelled`, exact: true });
    await dlg.waitFor();
    await dlg.getByLabel('Notes').fill('Out of delivery area');
    await dlg.getByRole('button', { name: 'Confirm' }).click();
    await dlg.waitFor({ state: 'hidden' });
    assert.equal(await rowStatus(page, p.id), 'cancelled');
    await screenshot(page, 'delivery-list.png');
  } finally {
    await context.close();
  }
});

test('switching the workflow on the demo page loads the other workflow and its orders', async () => {
  const { page, context } = await newPage(env.browser);
  try {
    await signIn(page, env.url, 'admin', 'per_page=25');
    assert.equal(await page.locator('of-order-list tr.r').first().getAttribute('data-order-id'), '1');
    await page.getByLabel('Workflow').selectOption({ label: 'Delivery orders' });
    await page.getByLabel('Filter by status').locator('option', { hasText: 'In Transit' }).waitFor({ state: 'attached' });
    const first = (await deliveryOrders(env.url, tok))[0];
    await row(page, first.id).waitFor();
    assert.match(page.url(), /workflow=delivery/);
  } finally {
    await context.close();
  }
});

test('every status badge is in its workflow colour with text of at least 4.5:1 contrast', async () => {
  const wfDoc = await (await fetch(`${env.url}/api/workflow`)).json();
  const { page, context } = await newPage(env.browser);
  try {
    await signIn(page, env.url, 'admin', 'workflow=delivery&per_page=500');
    const seen = await page.locator('of-order-list of-status-badge').evaluateAll((badges) => {
      const rgb = (c) =>
        c
          .match(/[\d.]+/g)
          .slice(0, 3)
          .map(Number);
      const lum = (c) => {
        const f = (v) => {
          v /= 255;
          return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
        };
        const [r, g, b] = rgb(c);
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
      };
      return badges.map((b) => {
        const span = b.shadowRoot.querySelector('span');
        const cs = getComputedStyle(span);
        const [l1, l2] = [lum(cs.backgroundColor), lum(cs.color)].sort((x, y) => y - x);
        return { label: b.label, bg: cs.backgroundColor, contrast: (l1 + 0.05) / (l2 + 0.05) };
      });
    });
    const hex = (c) => `rgb(${[1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)).join(', ')})`;
    const labels = new Set(seen.map((x) => x.label));
    assert.equal(labels.size, wfDoc.statuses.length, 'every status appears in the seeded list');
    for (const st of wfDoc.statuses) {
      const b = seen.find((x) => x.label === st.label);
      assert.equal(b.bg, hex(st.color), `${st.label} in its colour`);
    }
    for (const b of seen) assert.ok(b.contrast >= 4.5, `${b.label}: contrast ${b.contrast.toFixed(2)}`);
  } finally {
    await context.close();
  }
});

test('legacy stored values are shown as their current status and can move on', async () => {
  const all = await deliveryOrders(env.url, tok);
  const legacy = all.find((x) => x.stored_status === 'shipped');
  assert.ok(legacy, 'seed has an order stored as "shipped"');
  const { page, context } = await newPage(env.browser);
  try {
    await signIn(page, env.url, 'admin', 'workflow=delivery&status=in_transit&per_page=500');
    assert.equal(await rowStatus(page, legacy.id), 'in_transit');
    assert.equal(
      await row(page, legacy.id)
        .locator('of-status-badge')
        .evaluate((b) => b.label),
      'In Transit',
    );
    await row(page, legacy.id).getByRole('button', { name: 'Mark Delivered' }).click();
    await page
      .getByRole('dialog', { name: `Change order ${legacy.id} to Delivered` })
      .getByRole('button', { name: 'Confirm' })
      .click();
    await row(page, legacy.id).and(page.locator('[data-status="delivered"]')).waitFor();
  } finally {
    await context.close();
  }
});

test('a driver sees only the driving steps', async () => {
  const all = await deliveryOrders(env.url, tok);
  const assigned = all.find((x) => x.status === 'assigned');
  const pend = all.find((x) => x.status === 'pending');
  const { page, context } = await newPage(env.browser);
  try {
    await signIn(page, env.url, 'driver', 'per_page=500');
    assert.deepEqual(await buttons(page, assigned.id), ['Mark In Transit']);
    assert.deepEqual(await buttons(page, pend.id), []);
    // tracking number is optional on the way out: the detail form asks for it
    await page.getByRole('link', { name: `Open order ${assigned.id}`, exact: true }).click();
    const dlg = page.locator('of-order-detail');
    await dlg.getByRole('button', { name: 'Update Status' }).click();
    await dlg.getByLabel('New status').selectOption({ label: 'In Transit' });
    await dlg.getByLabel('Tracking number').fill('TRK-000123');
    await dlg.getByRole('button', { name: 'Save' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Order ${assigned.id} updated` })
      .waitFor();
    const now = (await deliveryOrders(env.url, tok)).find((x) => x.id === assigned.id);
    assert.equal(now.status, 'in_transit');
    assert.equal(now.tracking_number, 'TRK-000123');
  } finally {
    await context.close();
  }
});
