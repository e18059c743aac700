// The package in an "existing CMS" (examples/existing-cms): the plain HTML page loads the
// self-contained bundle from the packed-and-installed package and talks to stand-in APIs that
// implement only what the two documents list. Asserts what the stand-in received and holds.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium } from '../support/chromium.js';
import { installPackage } from '../node/support/package.js';
import { createDeliveryApi, seedOrders } from '../../examples/existing-cms/delivery-api.js';
import { createCmsApi } from '../../examples/existing-cms/cms-api.js';
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

async function withDelivery(fn, options = {}) {
  const api = createDeliveryApi({ packageDir, ...options });
  const url = await api.listen();
  try {
    await fn(api, url);
  } finally {
    await api.close();
  }
}

/** A page that records console errors, page errors and the bundle's files it loaded; the test asserts no errors at its end. */
async function openPage(url) {
  const context = await browser.newContext({ viewport: { width: 1300, height: 850 } });
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  const errors = [];
  page.bundleFiles = [];
  page.on('request', (r) => {
    const m = /\/dist\/(orderflow-elements[^/?]*\.js)$/.exec(new URL(r.url()).pathname);
    if (m) page.bundleFiles.push(m[1]);
  });
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  await page.locator('of-order-list tbody tr.r').first().waitFor();
  return { page, errors, close: () => context.close() };
}

const apiCalls = (api) => api.requests.map((r) => `${r.method} ${r.path}`);
const onlyDocumented = (calls, allowed) => calls.filter((c) => !allowed.some((re) => re.test(c)));
const DELIVERY_DOC = [/^GET \/api\/orders$/, /^PUT \/api\/orders\/\d+\/status$/];

test("delivery API: legacy values read as current statuses; Accept sends exactly the document's PUT; in transit stores the tracking number", async () => {
  await withDelivery(async (api, url) => {
    const { page, errors, close } = await openPage(url);
    try {
      // stored "processing" and "shipped" are shown as Confirmed and In Transit, and not rewritten
      assert.equal(api.orders.get(3).status, 'processing');
      assert.equal(api.orders.get(6).status, 'shipped');
      assert.equal(await rowStatus(page, 3), 'confirmed');
      assert.equal(await rowStatus(page, 6), 'in_transit');
      assert.equal(await row(page, 3).locator('of-status-badge span').textContent(), 'Confirmed');
      assert.equal(await row(page, 6).locator('of-status-badge span').textContent(), 'In Transit');
      // forward buttons name their target (the workflow's "Next" leads to several statuses)
      assert.deepEqual(await row(page, 6).getByRole('button').allTextContents(), ['Mark Delivered', 'Cancel']);

      await row(page, 1).getByRole('button', { name: 'Accept' }).click();
      const updated = page.getByRole('status').filter({ hasText: 'Order 1 updated: Pending → Confirmed.' });
      await updated.waitFor();
      // Confirmed is a notifying status of the workflow, but this API reports no notification: nothing is claimed
      assert.doesNotMatch(await updated.textContent(), /notif/i);
      const puts = api.requests.filter((r) => r.method === 'PUT');
      assert.equal(puts.length, 1);
      assert.equal(puts[0].path, '/api/orders/1/status');
      assert.equal(puts[0].body, '{"status":"confirmed","tracking_number":null}');
      assert.equal(puts[0].headers.authorization, 'Bearer admin-token');
      assert.equal(puts[0].headers['content-type'], 'application/json');
      for (const h of ['x-csrf-token', 'idempotency-key', 'x-orderflow-source', 'cookie']) assert.equal(puts[0].headers[h], undefined, h);
      assert.equal(api.orders.get(1).status, 'confirmed');

      // the detail view works without a single-order or history endpoint, and says so plainly
      await page.getByRole('link', { name: 'Open order 5', exact: true }).click();
      await page.getByText("No status history is available: this system's API does not provide one.").waitFor();
      // assigned → in transit with the tracking number (the workflow's optional field; a row's
      // one-click button sends none, so staff give it in the detail form)
      const detail = page.locator('of-order-detail');
      await detail.getByRole('button', { name: 'Update Status' }).click();
      await detail.getByLabel('New status').selectOption({ label: 'In Transit' });
      await detail.getByLabel('Tracking number').fill('TRK-12345');
      await detail.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('status').filter({ hasText: 'Order 5 updated: Assigned → In Transit.' }).waitFor();
      assert.equal(api.requests.at(-1).body, '{"status":"in_transit","tracking_number":"TRK-12345"}');
      assert.equal(api.orders.get(5).status, 'in_transit');
      assert.equal(api.orders.get(5).tracking_number, 'TRK-12345');
      await page.getByRole('button', { name: 'Back to list' }).click();

      assert.deepEqual(onlyDocumented(apiCalls(api), DELIVERY_DOC), [], "only the document's endpoints are called");
      await screenshot(page, 'existing-cms-delivery.png');
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });
});

test("delivery API: a 403 shows the document's sentence and the order stays as the server holds it", async () => {
  await withDelivery(async (api, url) => {
    const { page, errors, close } = await openPage(`${url}/?user=manager`);
    try {
      await row(page, 2).getByRole('button', { name: 'Accept' }).click();
      const alert = page.getByRole('alert').filter({ hasText: 'Not authorized to update order status' });
      await alert.waitFor();
      assert.doesNotMatch(await alert.textContent(), /[<>]/);
      assert.equal(await rowStatus(page, 2), 'pending');
      assert.equal(api.orders.get(2).status, 'pending');
      assert.equal(api.requests.filter((r) => r.method === 'PUT').length, 1);
      assert.deepEqual(
        errors.filter((e) => !/status of 403/.test(e)),
        [],
        "no console errors but the browser's own note of the 403",
      );
    } finally {
      await close();
    }
  });
});

test('delivery API: a bulk of 5 goes through one PUT per order, the failed one retried, each order changed once', async () => {
  await withDelivery(async (api, url) => {
    const { page, errors, close } = await openPage(url);
    try {
      // the first PUT of order 12 is lost on the way (the server never sees it)
      let lost = false;
      await page.route('**/api/orders/12/status', (route) => {
        if (!lost) {
          lost = true;
          return route.abort('connectionreset');
        }
        return route.continue();
      });
      const ids = [1, 2, 10, 11, 12];
      for (const id of ids) await page.getByRole('checkbox', { name: `Select order ${id}`, exact: true }).check();
      await page.getByText('5 selected').waitFor();
      await page.getByRole('button', { name: 'Bulk Actions' }).click();
      await page.getByRole('menuitem', { name: 'Update Status' }).click();
      const dlg = page.getByRole('dialog');
      await dlg.getByLabel('New status').selectOption({ label: 'Confirmed' });
      await dlg.getByRole('button', { name: 'Confirm' }).click();
      await dlg.getByRole('heading', { name: 'Bulk update finished' }).waitFor();
      await page.getByRole('status').filter({ hasText: 'Bulk update: 4 updated, 1 failed.' }).waitFor();
      assert.equal(api.orders.get(12).status, 'pending');
      await dlg.getByRole('button', { name: 'Retry failed' }).click();
      await page.getByRole('status').filter({ hasText: 'Bulk update: 5 updated, 0 failed.' }).waitFor();

      const puts = api.requests.filter((r) => r.method === 'PUT');
      assert.deepEqual(puts.map((r) => r.path).sort(), ids.map((id) => `/api/orders/${id}/status`).sort());
      for (const r of puts) assert.equal(r.body, '{"status":"confirmed","tracking_number":null}');
      assert.deepEqual(
        api.changes.map((c) => c.id).sort((a, b) => a - b),
        ids,
        'each order changed exactly once',
      );
      for (const id of ids) assert.equal(api.orders.get(id).status, 'confirmed');
      assert.deepEqual(onlyDocumented(apiCalls(api), DELIVERY_DOC), [], 'no bulk endpoint is asked for');
      await dlg.getByRole('button', { name: 'Close' }).click();
      for (const id of ids) assert.equal(await rowStatus(page, id), 'confirmed');
      assert.deepEqual(
        errors.filter((e) => !/ERR_CONNECTION_RESET/.test(e)),
        [],
        "no console errors but the browser's note of the lost request",
      );
    } finally {
      await close();
    }
  });
});

test("CMS API: its PUT with the page's CSRF token, its bulk endpoint and history; no endpoint the document does not list", async () => {
  const api = await createCmsApi({ packageDir });
  const url = await api.listen();
  const { page, errors, close } = await openPage(url);
  try {
    // a new CMS order has more than two next statuses: its row offers them in a dropdown
    await page.getByRole('combobox', { name: 'Status for order 1', exact: true }).selectOption({ label: 'Processing' });
    const confirm = page.getByRole('dialog', { name: 'Change order 1 to Processing', exact: true });
    await confirm.getByRole('button', { name: 'Confirm' }).click();
    await confirm.waitFor({ state: 'hidden' });
    await page.getByRole('status').filter({ hasText: 'Order 1 updated: New → Processing.' }).waitFor();
    const put = api.requests.find((r) => r.method === 'PUT');
    assert.equal(put.path, '/api/v1/orders/1');
    assert.equal(put.body, '{"status":"processing"}');
    assert.match(put.headers['x-csrf-token'], /^[0-9a-f-]{36}$/);
    assert.equal(api.orders.get(1).status, 'processing');

    await page.getByRole('link', { name: 'Open order 1', exact: true }).click();
    await page.getByRole('list', { name: 'Status history' }).getByRole('listitem').first().waitFor();
    assert.deepEqual(await page.getByRole('list', { name: 'Status history' }).locator('of-status-badge span').allTextContents(), [
      'New',
      'Processing',
    ]);
    await page.getByRole('button', { name: 'Back to list' }).click();

    for (const id of [2, 5]) await page.getByRole('checkbox', { name: `Select order ${id}`, exact: true }).check();
    await page.getByRole('button', { name: 'Bulk Actions' }).click();
    await page.getByRole('menuitem', { name: 'Update Status' }).click();
    const dlg = page.getByRole('dialog');
    await dlg.getByLabel('New status').selectOption({ label: 'Cancelled' });
    await dlg.getByRole('button', { name: 'Confirm' }).click();
    await dlg.getByRole('heading', { name: 'Bulk update finished' }).waitFor();
    const bulk = api.requests.filter((r) => r.path === '/api/v1/orders/bulk_update');
    assert.equal(bulk.length, 1);
    assert.deepEqual(JSON.parse(bulk[0].body), { order_ids: [2, 5], status: 'cancelled' });
    assert.equal(api.orders.get(2).status, 'cancelled');

    const documented = [
      /^GET \/api\/v1\/orders$/,
      /^PUT \/api\/v1\/orders\/\d+$/,
      /^POST \/api\/v1\/orders\/bulk_update$/,
      /^GET \/api\/v1\/orders\/\d+\/history$/,
      /^GET \/api\/v1\/orders\/\d+\/allowed_statuses$/,
    ];
    assert.deepEqual(onlyDocumented(apiCalls(api), documented), []);
    await screenshot(page, 'existing-cms-cms.png');
    assert.deepEqual(errors, []);
  } finally {
    await close();
    await api.close();
  }
});

test('delivery API: a success answer the page cannot read is said so and the order re-read, not rolled back', async () => {
  await withDelivery(async (api, url) => {
    const { page, errors, close } = await openPage(url);
    try {
      // the server makes the change; what comes back is an HTML page instead of JSON
      await page.route('**/api/orders/4/status', async (route) => {
        await route.fetch();
        await route.fulfill({ status: 200, contentType: 'text/html', body: '<!DOCTYPE html><html><body><h1>Saved!</h1></body></html>' });
      });
      await row(page, 4).getByRole('button', { name: 'Mark Assigned' }).click();
      const warning = page
        .getByRole('status')
        .filter({ hasText: 'Order 4: the server accepted the request, but its answer could not be read.' });
      await warning.waitFor();
      assert.match(await warning.textContent(), /read again: it is now Assigned\./);
      assert.doesNotMatch(await warning.textContent(), /Saved|<h1>/);
      assert.equal(api.orders.get(4).status, 'assigned');
      assert.equal(await rowStatus(page, 4), 'assigned');
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });
});

test('delivery API: without an event stream, the page polls and shows a change made elsewhere', async () => {
  await withDelivery(async (api, url) => {
    const { page, errors, close } = await openPage(`${url}/?poll=250`);
    try {
      assert.equal(await rowStatus(page, 10), 'pending');
      // another admin panel (or the driver app) changes order 10 behind this page's back
      Object.assign(api.orders.get(10), { status: 'cancelled', updated_by: 'Dora Dispatcher' });
      await row(page, 10).and(page.locator('[data-status="cancelled"]')).waitFor();
      assert.deepEqual(await row(page, 10).getByRole('button').allTextContents(), []);
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });
});

test('a page that gives no actor is told so in its own language, instead of an endless Loading', async () => {
  await withDelivery(async (api, url) => {
    const { page, errors, close } = await openPage(url);
    try {
      // a second workspace set up as a page author might forget to: a workflow but no actor, in German
      await page.evaluate(async () => {
        const { createAdapter } = await import('/node_modules/orderflow/dist/orderflow-elements.js');
        await import('/node_modules/orderflow/dist/orderflow-elements-de.js'); // the page wants German
        const box = document.createElement('section');
        box.lang = 'de';
        const ws = document.createElement('of-order-workspace');
        ws.setAttribute('workflow', 'delivery');
        ws.api = createAdapter({ dialect: 'delivery', token: 'admin-token' });
        box.append(ws);
        document.body.append(box);
      });
      const alert = page.getByRole('alert').filter({ hasText: 'Kein Benutzer: Geben Sie dem Arbeitsbereich Rolle und Filialen' });
      await alert.waitFor();
      assert.equal(
        await page.getByRole('status').filter({ hasText: 'Wird geladen…' }).count(),
        1,
        'still waiting for the actor, and saying why',
      );
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });
});

test("bundle page: a part that cannot be loaded is said on the page, nothing is sent, and Vite's vite:preloadError event fires", async () => {
  await withDelivery(async (api, url) => {
    const { page, close } = await openPage(url);
    try {
      assert.ok(!page.bundleFiles.includes('orderflow-elements-change-controller.js'), 'the change controller is not loaded at start');
      await page.route('**/dist/orderflow-elements-change-controller.js', (route) => route.abort());
      await page.evaluate(() => {
        window.preloadErrors = 0;
        window.addEventListener('vite:preloadError', () => window.preloadErrors++);
      });
      await row(page, 1).getByRole('button', { name: 'Accept' }).click();
      await page.getByRole('alert').filter({ hasText: 'This part of the page could not be loaded.' }).waitFor();
      assert.equal(await page.evaluate(() => window.preloadErrors), 1);
      assert.deepEqual(
        api.requests.filter((r) => r.method === 'PUT'),
        [],
      );
      assert.equal(api.orders.get(1).status, 'pending');
    } finally {
      await close();
    }
  });
});

test('bundle page: a short list loads one script; a long list windows its rows with the virtualizer chunk found next to the bundle', async () => {
  await withDelivery(async (api, url) => {
    const { page, errors, close } = await openPage(url);
    try {
      assert.deepEqual(page.bundleFiles, ['orderflow-elements.js'], 'a short list needs nothing but the bundle');
      await page.getByRole('link', { name: 'Open order 5', exact: true }).click();
      await page.getByRole('heading', { name: 'Order 5' }).waitFor();
      assert.ok(page.bundleFiles.includes('orderflow-elements-of-order-detail.js'), 'the detail view is loaded when first opened');
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });
  await withDelivery(
    async (api, url) => {
      const { page, errors, close } = await openPage(url);
      try {
        assert.ok(page.bundleFiles.includes('orderflow-elements-virtual.js'), `the virtualizer chunk was loaded (${page.bundleFiles})`);
        await page.getByRole('status').filter({ hasText: '600 orders' }).waitFor();
        const rendered = await page.locator('of-order-list tbody tr.r').count();
        assert.ok(rendered > 0 && rendered < 100, `only the rows in view are in the page (${rendered} of 600)`);
        // every row stays reachable by keyboard: Ctrl+End on the first row's link goes to the last order
        await page.getByRole('link', { name: 'Open order 1', exact: true }).focus();
        await page.keyboard.press('Control+End');
        await page.getByRole('link', { name: 'Open order 600', exact: true }).waitFor();
        await page.waitForFunction(
          () => {
            let a = document.activeElement;
            while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
            return a?.getAttribute('aria-label') === 'Open order 600';
          },
          null,
          { timeout: 5000 },
        );
        assert.deepEqual(errors, []);
      } finally {
        await close();
      }
    },
    { orders: seedOrders(600) },
  );
});
