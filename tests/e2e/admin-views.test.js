// The admin views of issue 13 on the demo page: the notifications list (held: the test server
// has no transport) with its state filter, and the audit trail of refused attempts with filters.
// A non-admin is not offered them (the server answers 403, the page hides the buttons).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, newPage, signIn, token, call, cmsOrders, screenshot } from './helpers.js';

let env;
let page;
let context;
let adminTok;
let managerTok;

before(async () => {
  env = await setup();
  adminTok = await token(env.url, 'admin');
  managerTok = await token(env.url, 'manager');
  ({ page, context } = await newPage(env.browser));
});
after(async () => {
  await context?.close();
  await env?.close();
});

test('an admin opens the notifications and the audit trail from the demo page', async () => {
  const doc = (await call(env.url, adminTok, 'GET', '/api/v1/workflow')).body;
  const t = doc.transitions.find(
    (x) =>
      doc.statuses.find((s) => s.id === x.to).notify && x.roles.includes('admin') && !(x.requires ?? []).length && !(x.guards ?? []).length,
  );
  const [order] = await cmsOrders(env.url, adminTok, `status=${t.from}`);
  const changed = await call(env.url, adminTok, 'PUT', `/api/v1/orders/${order.id}`, { status: t.to, lock_version: order.lock_version });
  assert.equal(changed.status, 200);
  const stale = await call(env.url, managerTok, 'PUT', `/api/v1/orders/${order.id}`, { status: t.to, lock_version: order.lock_version });
  assert.ok([409, 422].includes(stale.status), `refused: ${stale.status}`);

  await signIn(page, env.url, 'admin');
  await page.getByRole('button', { name: 'Notifications' }).click();
  const notes = page.getByRole('region', { name: 'Notifications' });
  await notes.getByRole('table').waitFor();
  await notes.getByRole('row').filter({ hasText: 'Held (no transport)' }).first().waitFor();
  await notes.getByText('No transport configured').waitFor();
  await notes.getByLabel('State').selectOption({ label: 'Failed' });
  await notes.getByText('No notifications in the state “Failed”.').waitFor();
  await notes.getByLabel('State').selectOption({ label: 'Held (no transport)' });
  const held = notes.getByRole('row').filter({ hasText: 'Held (no transport)' }).first();
  await held.waitFor();
  // words and dates as staff read them: no ISO timestamps, no internal state or kind codes
  const heldText = await held.innerText();
  assert.doesNotMatch(heldText, /\d{4}-\d{2}-\d{2}T|\bheld\b|\bsingle\b|\bbatch\b/, heldText);
  assert.match(heldText, /One order|Batch of orders/);
  assert.match(heldText, new RegExp(doc.name));
  await screenshot(page, 'admin-notifications.png');

  await page.getByRole('button', { name: 'Audit trail' }).click();
  const audit = page.getByRole('region', { name: 'Audit trail' });
  await audit.getByLabel('User').fill('manager');
  await audit.getByLabel('Order').fill(String(order.id));
  await audit.getByRole('button', { name: 'Apply filters' }).click();
  const rowEl = audit
    .getByRole('row')
    .filter({ hasText: String(stale.status) })
    .filter({ hasText: 'manager' });
  await rowEl.waitFor();
  const text = await rowEl.innerText();
  assert.match(text, new RegExp(`\\b${order.id}\\b`));
  const label = doc.statuses.find((s) => s.id === t.to).label;
  assert.match(text, new RegExp(label), 'the target status by its label');
  assert.match(text, /in the staff screen|through the API/, 'the source in words');
  if (stale.status === 409) assert.match(text, /changed by someone else meanwhile/, 'the refusal in words, its code beside');
  assert.doesNotMatch(text, /\d{4}-\d{2}-\d{2}T/, 'no raw ISO timestamp');
  // the same view in German, from the page's language
  await page.evaluate(() => {
    document.documentElement.lang = 'de';
  });
  const auditDe = page.getByRole('region', { name: 'Protokoll' });
  await auditDe.getByRole('table', { name: 'Abgelehnte Versuche' }).waitFor();
  await auditDe.getByRole('button', { name: 'Filter anwenden' }).waitFor();
  await auditDe.getByRole('columnheader', { name: 'Grund' }).waitFor();
  await page.evaluate(() => {
    document.documentElement.lang = 'en';
  });
  await audit.getByLabel('User').fill('nobody-at-all');
  await audit.getByRole('button', { name: 'Apply filters' }).click();
  await audit.getByText('No refused attempts match.').waitFor();
  await screenshot(page, 'admin-audit.png');
  assert.deepEqual(page.errorsSeen, []);
});

test("the order's history says whether the customer was notified of each change", async () => {
  const doc = (await call(env.url, adminTok, 'GET', '/api/v1/workflow')).body;
  const t = doc.transitions.find(
    (x) =>
      doc.statuses.find((s) => s.id === x.to).notify && x.roles.includes('admin') && !(x.requires ?? []).length && !(x.guards ?? []).length,
  );
  const [order] = await cmsOrders(env.url, adminTok, `status=${t.from}`);
  assert.equal(
    (await call(env.url, adminTok, 'PUT', `/api/v1/orders/${order.id}`, { status: t.to, lock_version: order.lock_version })).status,
    200,
  );
  await signIn(page, env.url, 'admin', `status=${t.to}&per_page=500`);
  await page.getByRole('link', { name: `Open order ${order.id}`, exact: true }).click();
  const timeline = page.locator('of-order-detail').getByRole('list', { name: 'Status history' });
  // No transport in this test server: the notification is kept as held.
  await timeline.getByRole('listitem').last().getByText('Customer notification held').waitFor();
  assert.equal(await timeline.getByText(/Customer notif/).count(), 1, 'only the change into a notify status notified');
});

test('a non-admin is not offered the admin views', async () => {
  await signIn(page, env.url, 'manager');
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  await page.waitForTimeout(300); // the page has asked the server by now
  assert.equal(await page.getByRole('button', { name: 'Notifications' }).count(), 0);
  assert.equal(await page.getByRole('button', { name: 'Audit trail' }).count(), 0);
});
