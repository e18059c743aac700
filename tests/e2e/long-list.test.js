// A long list (issue #12): only the rows in view are in the DOM (virtualized), yet every row is
// reachable by keyboard: Tab walks on past the rendered rows, ArrowDown/ArrowUp move to the same
// control of the next/previous order, Ctrl+End/Ctrl+Home jump to the last/first.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, newPage, signIn, token, cmsOrders, focused } from './helpers.js';

let env;
let tok;

before(async () => {
  env = await setup({ env: { ORDERFLOW_SEED_CMS_ORDERS: '600' } });
  tok = await token(env.url, 'admin');
});
after(async () => {
  await env?.close();
});

// The list scrolls the target row in and focuses it a frame or two later: wait for it (up to 5 s
// on a loaded machine) and then compare, so a wrong target still fails with both names shown.
async function focusedIs(page, want) {
  let got;
  for (const t0 = Date.now(); Date.now() - t0 < 5000; await new Promise((r) => setTimeout(r, 50))) {
    got = await focused(page);
    if (got === want) break;
  }
  assert.equal(got, want);
}

test('every row of a long list is reachable by keyboard, with only the rows in view in the DOM', async () => {
  const orders = await cmsOrders(env.url, tok, 'per_page=500');
  const shown = orders.slice(0, 500);
  assert.ok(shown.length > 300, `a long list (${shown.length})`);
  const { page, context } = await newPage(env.browser);
  try {
    await signIn(page, env.url, 'admin', 'per_page=500');
    await page.getByText(`${orders.length} orders`).waitFor();
    const inDom = await page.locator('of-order-list tr[data-order-id]').count();
    assert.ok(inDom < 80, `virtualized: ${inDom} rows in the DOM`);
    const last = shown[shown.length - 1];
    await page.getByRole('checkbox', { name: `Select order ${shown[0].id}`, exact: true }).focus();
    await page.keyboard.press('Control+End');
    await focusedIs(page, `Select order ${last.id}`);
    assert.equal(await page.getByRole('checkbox', { name: `Select order ${last.id}`, exact: true }).isVisible(), true);
    await page.keyboard.press('ArrowUp');
    await focusedIs(page, `Select order ${shown[shown.length - 2].id}`);
    await page.keyboard.press('Space');
    await page.getByText('1 selected').waitFor();
    await page.keyboard.press('Control+Home');
    await focusedIs(page, `Select order ${shown[0].id}`);
    // Tab on, row after row, to an order whose row was not rendered at first
    const rendered = new Set(
      await page.locator('of-order-list tr[data-order-id]').evaluateAll((rs) => rs.map((r) => Number(r.dataset.orderId))),
    );
    const target = shown.find((o, i) => i > 5 && !rendered.has(o.id) && !rendered.has(shown[i - 5].id));
    let reached = false;
    for (let i = 0; i < 300 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = (await focused(page)) === `Select order ${target.id}`;
    }
    assert.ok(reached, `Tab reached order ${target.id}, which was not in the DOM at first`);
    assert.equal(await page.getByRole('checkbox', { name: `Select order ${target.id}`, exact: true }).isVisible(), true);
    await page.keyboard.press('ArrowDown');
    await focusedIs(page, `Select order ${shown[shown.indexOf(target) + 1].id}`);
  } finally {
    await context.close();
  }
});
