// The list in someone else's CMS shows the data their API has: the plain HTML delivery page of
// examples/existing-cms (the packed package's bundle) against a minimal API whose orders carry
// only id, status, customer_name and items (no store, date, payment, total or updated_by). No
// empty Store/Date/Payment columns, a Customer column with the names; selection, keyboard moves,
// a change and German still work, the detail view lists no empty entries; a page's own `columns`
// choice wins over the automatic one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium } from '../support/chromium.js';
import { installPackage } from '../node/support/package.js';
import { json, standIn } from '../../examples/existing-cms/stand-in.js';
import { row, rowStatus, screenshot } from './helpers.js';

let browser;
let packageDir;
before(async () => {
  packageDir = installPackage().packageDir;
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

const NAMES = ['Ana Lima', 'Björn Olsen', 'Chidi Okeke', 'Dana Cohen', 'Eun-ji Park', 'Farid Haddad'];

/** GET /api/orders and PUT /api/orders/:id/status, nothing else; orders as a small shop's API keeps them. */
function minimalApi({ page, extra = {} }) {
  const orders = new Map(
    NAMES.map((name, i) => [
      i + 1,
      { id: i + 1, status: i % 2 ? 'confirmed' : 'pending', customer_name: name, items: [{ sku: `SKU-${i}`, quantity: 1 }], ...extra },
    ]),
  );
  const api = (req, res, { path, body }) => {
    if (req.method === 'GET' && path === '/api/orders') return json(res, 200, { success: true, data: [...orders.values()] });
    const m = /^\/api\/orders\/(\d+)\/status$/.exec(path);
    if (req.method === 'PUT' && m) {
      const order = orders.get(Number(m[1]));
      if (!order) return json(res, 404, { success: false, message: 'Order not found' });
      order.status = body.status;
      return json(res, 200, { success: true, order });
    }
    return false;
  };
  return { ...standIn({ packageDir, page, api }), orders };
}

async function open(api) {
  const url = await api.listen();
  const context = await browser.newContext({ viewport: { width: 1300, height: 850 } });
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(url);
  await page.locator('of-order-list tbody tr.r').first().waitFor();
  return { page, errors, close: () => context.close() };
}

const focused = (locator) => locator.evaluate((el) => el.getRootNode().activeElement === el);
const headers = (page) => page.locator('of-order-list').getByRole('columnheader').allInnerTexts();

test('a minimal API: no empty Store, Date, Payment, Total or Updated by columns, a Customer column with the names', async () => {
  const api = minimalApi({ page: 'delivery.html' });
  const { page, errors, close } = await open(api);
  try {
    assert.deepEqual(
      (await headers(page)).map((h) => h.trim()),
      ['', 'Order', 'Customer', 'Status', 'Change status'],
    );
    for (const name of ['Store', 'Date', 'Payment', 'Total', 'Updated by'])
      assert.equal(await page.getByRole('columnheader', { name, exact: true }).count(), 0, `no ${name} column`);
    // no store list from this API: no store filter offering nothing but "All stores"
    assert.equal(await page.getByRole('combobox', { name: 'Filter by store' }).count(), 0);
    const customer = page.getByRole('columnheader', { name: 'Customer', exact: true });
    assert.ok((await customer.boundingBox()).width > 150, 'the Customer column has room');
    for (const [i, name] of NAMES.entries()) {
      const cell = row(page, i + 1).getByRole('cell', { name, exact: true });
      assert.ok(await cell.isVisible(), name);
      assert.ok((await cell.boundingBox()).width > 150, `${name} is not squeezed away`);
    }

    // selection and keyboard moves across rows, as before
    await page.getByRole('checkbox', { name: 'Select order 2', exact: true }).check();
    await page.getByText('1 selected').waitFor();
    await page.getByRole('checkbox', { name: 'Select order 2', exact: true }).focus();
    await page.keyboard.press('ArrowDown');
    assert.ok(await focused(page.getByRole('checkbox', { name: 'Select order 3', exact: true })), 'ArrowDown: the next order');

    // a change through the document's PUT; the row keeps its customer
    await row(page, 1).getByRole('button', { name: 'Accept' }).click();
    await page.getByRole('status').filter({ hasText: 'Order 1 updated: Pending → Confirmed.' }).waitFor();
    assert.equal(await rowStatus(page, 1), 'confirmed');
    assert.equal(api.orders.get(1).status, 'confirmed');
    assert.ok(await row(page, 1).getByRole('cell', { name: 'Ana Lima', exact: true }).isVisible());
    assert.deepEqual(
      api.requests.map((r) => `${r.method} ${r.path}`).filter((c) => !/^(GET \/api\/orders|PUT \/api\/orders\/\d+\/status)$/.test(c)),
      [],
    );

    // the detail view lists what the order has, no empty Store, Payment or Total entries
    await page.getByRole('link', { name: 'Open order 2', exact: true }).click();
    const detail = page.locator('of-order-detail');
    await detail.getByRole('heading', { name: 'Order 2' }).waitFor();
    const terms = await detail.getByRole('term').allInnerTexts();
    assert.ok(terms.includes('Customer'), terms.join('|'));
    for (const name of ['Store', 'Ordered', 'Payment', 'Total']) assert.ok(!terms.includes(name), `no ${name} entry: ${terms.join('|')}`);
    assert.equal(await detail.getByRole('definition').filter({ hasText: 'Björn Olsen' }).count(), 1);
    await page.getByRole('button', { name: 'Back to list' }).click();
    await page.getByRole('checkbox', { name: 'Select order 2', exact: true }).waitFor();

    // in German the same columns, in German
    await page.evaluate(async () => {
      await import('/node_modules/orderflow/dist/orderflow-elements-de.js');
      document.documentElement.lang = 'de';
    });
    await page.getByRole('columnheader', { name: 'Kunde', exact: true }).waitFor();
    assert.deepEqual(
      (await headers(page)).map((h) => h.trim()),
      ['', 'Bestellung', 'Kunde', 'Status', 'Status ändern'],
    );
    await screenshot(page, 'foreign-columns.png');
    assert.deepEqual(errors, []);
  } finally {
    await close();
    await api.close();
  }
});

test("a page's columns attribute and property choose the columns; focus stays on its control when they change", async () => {
  // this API also gives totals; the page asks for the total only, then (property) customer and total
  const api = minimalApi({ page: 'delivery.html', extra: { total: 12.5 } });
  const { page, errors, close } = await open(api);
  try {
    assert.deepEqual(
      (await headers(page)).map((h) => h.trim()),
      ['', 'Order', 'Customer', 'Status', 'Change status', 'Total'],
    );
    await page.locator('of-order-workspace').evaluate((ws) => ws.setAttribute('columns', 'total'));
    await until(async () => (await headers(page)).map((h) => h.trim()).join('|') === '|Order|Status|Change status|Total');
    assert.equal(await page.getByRole('cell', { name: 'Ana Lima', exact: true }).count(), 0);
    assert.equal(await row(page, 1).getByRole('cell', { name: '12.50', exact: true }).count(), 1);

    const accept = row(page, 3).getByRole('button', { name: 'Accept' });
    await accept.focus();
    await page.locator('of-order-workspace').evaluate((ws) => {
      ws.columns = ['customer', 'total', 'store'];
    });
    await page.getByRole('columnheader', { name: 'Customer', exact: true }).waitFor();
    // a named column is shown even without data: the page asked for it
    assert.deepEqual(
      (await headers(page)).map((h) => h.trim()),
      ['', 'Order', 'Customer', 'Status', 'Change status', 'Store', 'Total'],
    );
    assert.ok(await focused(accept), 'the focused Accept button of order 3 keeps focus');
    assert.deepEqual(errors, []);
  } finally {
    await close();
    await api.close();
  }

  async function until(fn, ms = 5000) {
    for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) if (await fn()) return;
    assert.fail(`not met within ${ms} ms: ${(await headers(page)).join('|')}`);
  }
});
