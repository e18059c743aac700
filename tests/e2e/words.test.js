// What staff read (issue #12): no internal words, one message at a time that never pushes the
// list down, rows without repetition, date and payment columns, a completed order's items not
// flagged as out of stock, and a workflow diagram whose every box is readable.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, newPage, signIn, row, token, cmsOrders } from './helpers.js';

let env;
let tok;

before(async () => {
  env = await setup();
  tok = await token(env.url, 'admin');
});
after(async () => {
  await env?.close();
});

// WCAG contrast of two CSS colours (rgb()/#hex as computed)
function contrast(a, b) {
  const rgb = (c) =>
    c.startsWith('#')
      ? [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16))
      : c
          .match(/[\d.]+/g)
          .slice(0, 3)
          .map(Number);
  const lum = (c) => {
    const f = (v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    };
    const [r, g, b2] = rgb(c);
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b2);
  };
  const [l1, l2] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (l1 + 0.05) / (l2 + 0.05);
}

test('three changes leave one message, and the list does not move', async () => {
  const orders = (await cmsOrders(env.url, tok, 'status=new')).slice(0, 3);
  const { page, context } = await newPage(env.browser);
  try {
    await signIn(page, env.url, 'admin', 'status=new&per_page=500');
    const table = page.locator('of-order-list table');
    const top = (await table.boundingBox()).y;
    for (const o of orders) {
      await page.getByRole('combobox', { name: `Status for order ${o.id}`, exact: true }).selectOption({ label: 'Cancelled' });
      await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
      await page
        .getByRole('status')
        .filter({ hasText: `Order ${o.id} updated` })
        .waitFor();
      assert.equal(
        await page
          .getByRole('status')
          .filter({ hasText: /Order \d+ updated/ })
          .count(),
        1,
        'one message, replaced',
      );
      assert.equal((await table.boundingBox()).y, top, 'the list stays where it was');
    }
  } finally {
    await context.close();
  }
});

test('rows: no dropdown entry repeating the status, no buttons repeating the dropdown, date and payment columns', async () => {
  const all = await cmsOrders(env.url, tok, 'status=processing');
  const unpaid = all.find((o) => o.payment_status !== 'paid');
  const { page, context } = await newPage(env.browser);
  try {
    await signIn(page, env.url, 'admin', 'status=processing&per_page=500');
    const offered = await page
      .getByRole('combobox', { name: `Status for order ${unpaid.id}`, exact: true })
      .locator('option')
      .allTextContents();
    assert.ok(!offered.includes('Processing'), `the current status is the badge's, not an entry: ${offered}`);
    assert.equal(await row(page, unpaid.id).getByRole('button').count(), 0, 'no buttons beside the dropdown');
    for (const name of ['Date', 'Payment']) await page.getByRole('columnheader', { name, exact: true }).waitFor();
    assert.match(await row(page, unpaid.id).innerText(), /Not paid yet|Payment failed/);
    const when = await row(page, unpaid.id).locator('time').getAttribute('datetime');
    assert.equal(when, unpaid.created_at);
    assert.equal(await page.getByText(/\d{4}-\d\d-\d\dT\d\d:/).count(), 0, 'dates are written for people');
  } finally {
    await context.close();
  }
});

test('detail: no version number, a completed order\'s items are not "out of stock", the diagram is readable', async () => {
  const done = (await cmsOrders(env.url, tok, 'status=completed'))[0];
  const { page, context } = await newPage(env.browser);
  try {
    await signIn(page, env.url, 'admin', 'status=completed&per_page=500');
    await page.getByRole('link', { name: `Open order ${done.id}`, exact: true }).click();
    const detail = page.locator('of-order-detail');
    await detail.getByRole('heading', { name: `Order ${done.id}`, exact: true }).waitFor();
    assert.equal(await detail.getByText(/version \d|lock_version/).count(), 0);
    const items = detail.getByRole('table', { name: 'Items' });
    const stock = await items.locator('tbody tr td:nth-child(4)').allInnerTexts();
    assert.ok(stock.length > 0);
    for (const s of stock) assert.equal(s, 'used by this order');
    assert.equal(await items.locator('.out').count(), 0, 'nothing in red');
    // every box of the diagram: its label against its fill at least 4.5:1, nothing faded
    const boxes = await detail.locator('of-workflow-diagram g[data-status]').evaluateAll((gs) =>
      gs.map((g) => ({
        status: g.dataset.status,
        fill: g.querySelector('rect').getAttribute('fill'),
        text: g.querySelector('text').getAttribute('fill'),
        opacity: getComputedStyle(g).opacity,
      })),
    );
    assert.equal(boxes.length, 6);
    for (const b of boxes) {
      assert.equal(b.opacity, '1', `${b.status} not faded`);
      assert.ok(contrast(b.fill, b.text) >= 4.5, `${b.status}: ${contrast(b.fill, b.text).toFixed(2)}:1`);
    }
  } finally {
    await context.close();
  }
});
