// What a new user met walking through the demo page with the keyboard, on a phone and offline
// (session 19's walk-through): opening an order keeps the keyboard user's place, a list that cannot
// load says so in words about loading, and a phone shows each row's status and change control.
// Driven by accessible names, the keyboard, and what is focused and visible.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, newPage, signIn, token, cmsOrders, focused } from './helpers.js';

let env;
let tok;

before(async () => {
  env = await setup();
  tok = await token(env.url, 'manager');
});
after(async () => {
  await env?.close();
});

test('keyboard only: Enter on an order link moves focus to its detail view, Escape goes back to that link', async () => {
  const o = (await cmsOrders(env.url, tok))[2];
  const { page, context } = await newPage(env.browser);
  try {
    await signIn(page, env.url, 'manager');
    const link = page.getByRole('link', { name: `Open order ${o.id}`, exact: true });
    await link.focus();
    await page.keyboard.press('Enter');
    const heading = page.getByRole('heading', { name: `Order ${o.id}`, exact: true });
    await heading.waitFor();
    await page.waitForFunction(() => true);
    assert.equal(await focused(page), `Order ${o.id}`, 'focus is on the open order, not lost to the page');
    await page.keyboard.press('Tab');
    assert.notEqual(await focused(page), 'body', 'Tab goes on inside the detail view');
    await page.keyboard.press('Escape');
    await heading.waitFor({ state: 'hidden' });
    assert.equal(await focused(page), `Open order ${o.id}`, 'Escape is back on the link that opened it');
  } finally {
    await context.close();
  }
});

test('keyboard only: Escape in the detail form cancels the edit first, a second Escape goes back to the list', async () => {
  const o = (await cmsOrders(env.url, tok, 'status=new'))[0];
  const { page, context } = await newPage(env.browser);
  try {
    await signIn(page, env.url, 'manager', 'status=new');
    await page.getByRole('link', { name: `Open order ${o.id}`, exact: true }).focus();
    await page.keyboard.press('Enter');
    const heading = page.getByRole('heading', { name: `Order ${o.id}`, exact: true });
    await heading.waitFor();
    await page.getByRole('button', { name: 'Update Status' }).focus();
    await page.keyboard.press('Enter');
    const newStatus = page.getByLabel('New status');
    await newStatus.waitFor();
    await page.keyboard.press('Escape');
    await newStatus.waitFor({ state: 'hidden' });
    assert.equal(await heading.isVisible(), true, 'the first Escape only cancels the edit');
    assert.equal(await focused(page), 'Update Status');
    await page.keyboard.press('Escape');
    await heading.waitFor({ state: 'hidden' });
    assert.equal(await focused(page), `Open order ${o.id}`);
  } finally {
    await context.close();
  }
});

test('offline: a list that cannot load says the server could not be reached, not that a change was lost; Retry loads it', async () => {
  const { page, context } = await newPage(env.browser);
  try {
    await signIn(page, env.url, 'manager');
    await page.route('**/api/v1/orders?*', (route) => route.abort('internetdisconnected'));
    await page.getByLabel('Filter by status').selectOption({ label: 'Processing' });
    const alert = page.getByRole('alert').filter({ hasText: 'Could not load orders.' });
    await alert.waitFor();
    const text = (await alert.innerText()).replace(/\s+/g, ' ');
    assert.match(text, /Could not load orders\. The server could not be reached\. Check the connection and try again\./);
    assert.doesNotMatch(text, /change|typed/i, 'nothing was being changed or typed');
    await page.unroute('**/api/v1/orders?*');
    await alert.getByRole('button', { name: 'Retry' }).click();
    await alert.waitFor({ state: 'hidden' });
    await page.getByText(/^\d+ orders$/).waitFor();
    assert.ok((await page.locator('of-order-list tr[data-status="processing"]').count()) > 0, 'the filtered list is shown');
  } finally {
    await context.close();
  }
});

/** True when box `a` lies inside box `b` (1 px of rounding allowed). */
const inside = (a, b) => a.x >= b.x - 1 && a.y >= b.y - 1 && a.x + a.width <= b.x + b.width + 1 && a.y + a.height <= b.y + b.height + 1;

for (const [username, query, workflow] of [
  ['manager', '', 'cms'],
  ['admin', 'workflow=delivery', 'delivery'],
]) {
  test(`a 390 px phone (${username}, ${workflow}): every row shows its whole status and its change control without scrolling sideways`, async () => {
    const { page, context } = await newPage(env.browser, { viewport: { width: 390, height: 844 } });
    try {
      await signIn(page, env.url, username, query);
      const wrap = await page.locator('of-order-list [part="table-wrap"]').boundingBox();
      assert.ok(wrap.x >= 0 && wrap.x + wrap.width <= 390, 'the list fits the phone');
      const rows = page.locator('of-order-list tbody tr.r');
      const n = Math.min(await rows.count(), 8);
      let controls = 0;
      for (let i = 0; i < n; i++) {
        const row = rows.nth(i);
        await row.scrollIntoViewIfNeeded();
        const view = await page.locator('of-order-list [part="table-wrap"]').boundingBox();
        const id = await row.getAttribute('data-order-id');
        const badge = row.locator('of-status-badge');
        const badgeBox = await badge.boundingBox();
        const cellBox = await row
          .getByRole('cell')
          .filter({ has: page.locator('of-status-badge') })
          .boundingBox();
        assert.ok(inside(badgeBox, cellBox), `order ${id}: the status badge is not cut by its cell`);
        assert.ok(inside(badgeBox, view), `order ${id}: the status badge is in view`);
        const dropdown = row.getByRole('combobox', { name: `Status for order ${id}`, exact: true });
        const change = (await dropdown.count()) ? [dropdown] : await row.getByRole('button').all();
        for (const c of change) {
          const box = await c.boundingBox();
          assert.ok(inside(box, view), `order ${id}: its change control "${await c.textContent()}" is in view`);
          assert.ok(
            box.x >= badgeBox.x + badgeBox.width || box.x + box.width <= badgeBox.x,
            `order ${id}: the control does not cover the status`,
          );
          controls += 1;
        }
      }
      assert.ok(controls >= 4, `change controls were checked (${controls})`);
    } finally {
      await context.close();
    }
  });
}

test('demo sign-in: after a wrong password the picked user stays picked, so the retry signs in as that user', async () => {
  const { page, context } = await newPage(env.browser);
  try {
    await page.goto(`${env.url}/`);
    await page.getByLabel('Demo user').selectOption('manager');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Invalid username or password').waitFor();
    assert.match(await page.getByLabel('Demo user').locator('option:checked').textContent(), /Max Manager/);
    await page.getByLabel('Password').fill('demo');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText(/Signed in as/).waitFor();
    assert.match(await page.getByText(/Signed in as/).textContent(), /Signed in as Max Manager/);
  } finally {
    await context.close();
  }
});

test('detail: the workflow diagram does not offer a next status the engine blocks for this order', async () => {
  // a new order with an item out of stock: Processing is listed but blocked (inventory_short)
  const o = (await cmsOrders(env.url, tok, 'status=new')).find((x) => x.items.some((i) => i.in_stock === false));
  assert.ok(o, 'a new order with an item out of stock');
  const { page, context } = await newPage(env.browser);
  try {
    await signIn(page, env.url, 'manager', 'status=new');
    const dropdown = page.getByRole('combobox', { name: `Status for order ${o.id}`, exact: true });
    assert.equal(await dropdown.getByRole('option', { name: 'Processing (unavailable)' }).isDisabled(), true);
    await page.getByRole('link', { name: `Open order ${o.id}`, exact: true }).click();
    const diagram = page.getByRole('img', { name: /^Workflow diagram\./ });
    await diagram.waitFor();
    const said = await diagram.getAttribute('aria-label');
    assert.match(said, /Current status: New\./);
    assert.match(said, /You may move it to: .*Cancelled/);
    assert.doesNotMatch(said, /Processing/, `Processing is blocked for order ${o.id}: "${said}"`);
  } finally {
    await context.close();
  }
});

test('keyboard only, slow network: what is typed right after picking the first status lands in the dialog', async () => {
  const o = (await cmsOrders(env.url, tok, 'status=new'))[0];
  const { page, context } = await newPage(env.browser);
  try {
    // the change dialog's code arrives 1.5 s after it is asked for, as on a slow connection
    await page.route('**/*change-controller*.js', async (route) => {
      await new Promise((r) => setTimeout(r, 1500));
      await route.continue();
    });
    await signIn(page, env.url, 'manager', 'status=new');
    await page.getByRole('combobox', { name: `Status for order ${o.id}`, exact: true }).focus();
    await page.waitForTimeout(2000); // the user reads the row and the options
    await page.keyboard.press('r'); // Rejected
    await page.keyboard.type('Customer called to cancel', { delay: 30 });
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    assert.equal(await dialog.getByRole('heading').textContent(), `Change order ${o.id} to Rejected`);
    assert.equal(await dialog.getByLabel('Rejection reason').inputValue(), 'Customer called to cancel');
  } finally {
    await context.close();
  }
});

test("keyboard only, row buttons: after a one-click change focus is on that row's next button, not its link", async () => {
  const drv = await token(env.url, 'driver');
  const r = await fetch(`${env.url}/api/orders?per_page=500&status=assigned`, { headers: { Authorization: `Bearer ${drv}` } });
  const o = (await r.json()).data[0];
  const { page, context } = await newPage(env.browser);
  try {
    await signIn(page, env.url, 'driver', 'status=assigned');
    const row = page.locator(`of-order-list tr[data-order-id="${o.id}"]`);
    await row.getByRole('button', { name: 'Mark In Transit' }).focus();
    await page.keyboard.press('Enter');
    await page.getByText(`Order ${o.id} updated: Assigned → In Transit.`).waitFor();
    await row.getByRole('button', { name: 'Mark Delivered' }).waitFor();
    for (let i = 0; i < 20 && (await focused(page)) !== 'Mark Delivered'; i++) await page.waitForTimeout(100);
    assert.equal(await focused(page), 'Mark Delivered', 'the next step of the same order, ready for Enter');
    assert.equal(
      await row.getByRole('button', { name: 'Mark Delivered' }).evaluate((b) => b.matches(':focus')),
      true,
      `and it is order ${o.id}'s`,
    );
  } finally {
    await context.close();
  }
});

test('a 390 px phone: the admin views scroll their tables inside themselves, the page never scrolls sideways', async () => {
  const { page, context } = await newPage(env.browser, { viewport: { width: 390, height: 844 } });
  const pageWidth = () => page.evaluate(() => document.scrollingElement.scrollWidth);
  try {
    await signIn(page, env.url, 'admin');
    assert.equal(await pageWidth(), 390, 'the order list fits');
    for (const view of ['Notifications', 'Audit trail']) {
      await page.getByRole('button', { name: view }).click();
      await page.getByRole('region', { name: view }).getByRole('table').waitFor();
      assert.equal(await pageWidth(), 390, `the ${view} view fits`);
      const lastHeader = page.getByRole('region', { name: view }).getByRole('columnheader').last();
      await lastHeader.scrollIntoViewIfNeeded();
      const box = await lastHeader.boundingBox();
      assert.ok(box.x >= 0 && box.x + box.width <= 391, `${view}: its last column can be scrolled into view`);
    }
  } finally {
    await context.close();
  }
});
