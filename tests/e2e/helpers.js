// Shared set-up of the browser tests: one server (fresh data dir) and one Chromium per file,
// sign-in through the demo page, and a few direct REST calls used to set the scene and to
// check what really happened on the server.
import { mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../support/chromium.js';
import { startServer } from '../support/server.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const RESULTS = join(ROOT, 'test-results');

export async function setup({ env = {} } = {}) {
  const server = await startServer({ env: { ORDERFLOW_RATE_LIMIT: 'off', ...env } });
  const browser = await launchChromium();
  return {
    server,
    browser,
    url: server.url,
    async close() {
      await browser.close().catch(() => {});
      await server.stop();
    },
  };
}

/** A new page with the dialogs and page errors it sees recorded. */
export async function newPage(browser, { viewport = { width: 1360, height: 900 } } = {}) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  page.dialogsSeen = [];
  page.errorsSeen = [];
  page.on('dialog', (d) => {
    page.dialogsSeen.push(d.message());
    d.dismiss().catch(() => {});
  });
  page.on('pageerror', (e) => page.errorsSeen.push(String(e)));
  return { context, page };
}

/** Opens the demo page and signs in as a demo user through its user picker. */
export async function signIn(page, url, username, query = '') {
  await page.context().clearCookies();
  await page.goto(`${url}/${query ? `?${query}` : ''}`);
  await page.getByLabel('Demo user').selectOption(username);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('of-order-list tbody tr.r, of-order-list .empty').first().waitFor();
}

export function row(page, id) {
  return page.locator(`of-order-list tr[data-order-id="${id}"]`);
}

export async function rowStatus(page, id) {
  return row(page, id).getAttribute('data-status');
}

// ---- direct REST calls (bearer token) ----
export async function token(url, username) {
  const r = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: 'demo' }),
  });
  const b = await r.json();
  if (!b.token) throw new Error(`login ${username} failed: ${JSON.stringify(b)}`);
  return b.token;
}

export async function call(url, tok, method, path, body) {
  const r = await fetch(`${url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${tok}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, body: await r.json().catch(() => null) };
}

export async function cmsOrders(url, tok, query = '') {
  const r = await call(url, tok, 'GET', `/api/v1/orders?per_page=5000${query ? `&${query}` : ''}`);
  return r.body.orders;
}

export async function deliveryOrders(url, tok, query = '') {
  const r = await call(url, tok, 'GET', `/api/orders?per_page=5000${query ? `&${query}` : ''}`);
  return r.body.data;
}

export async function history(url, tok, id, dialect = 'cms') {
  const r = await call(url, tok, 'GET', dialect === 'cms' ? `/api/v1/orders/${id}/history` : `/api/orders/${id}/history`);
  return dialect === 'cms' ? r.body.history : r.body.data;
}

export async function screenshot(page, name) {
  mkdirSync(RESULTS, { recursive: true });
  const path = join(RESULTS, name);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Waits for an element-bound condition evaluated in the page. */
export async function until(page, fn, arg, timeout = 5000) {
  await page.waitForFunction(fn, arg, { timeout });
}

/** The accessible label (or text) of the element that has keyboard focus, across shadow roots; 'body' when none. */
export const focused = (page) =>
  page.evaluate(() => {
    let a = document.activeElement;
    while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
    if (!a || a === document.body) return 'body';
    return a.getAttribute('aria-label') || a.textContent.trim();
  });
