// The adapter contract as installed from the packed package (`orderflow/adapters`), against the
// stand-in APIs of examples/existing-cms over real HTTP, and against answers no stand-in gives
// (HTML error pages, unreadable successes) through a fetch that returns them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { installPackage, ROOT } from './support/package.js';
import { typecheck } from './support/typescript.js';
import { createDeliveryApi } from '../../examples/existing-cms/delivery-api.js';
import { message } from '../../web/src/i18n/index.js';
import '../../web/src/locales/de.js'; // the German the page would load

let A;
let delivery;
let url;
let resolve;
before(async () => {
  const { packageDir, project } = installPackage();
  resolve = createRequire(join(project, 'package.json')).resolve; // the package's `exports`, as a user's project sees them
  A = await import(pathToFileURL(resolve('orderflow/adapters')).href);
  delivery = createDeliveryApi({ packageDir });
  url = await delivery.listen();
});
after(async () => {
  await delivery?.close();
});

const answer =
  (status, body, type = 'application/json') =>
  async () =>
    new Response(body, { status, headers: { 'Content-Type': type } });

test('the packed package exports the elements, one entry per element, the bundle, types and the manifest', async () => {
  const { packageDir } = installPackage();
  const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  for (const spec of [
    'orderflow/elements',
    'orderflow/elements/bundle',
    'orderflow/elements/of-status-dropdown',
    'orderflow/elements/of-order-workspace.js',
    'orderflow/adapters',
    'orderflow/custom-elements.json',
  ]) {
    assert.ok(existsSync(resolve(spec)), spec);
  }
  for (const key of ['./elements', './elements/of-*', './adapters'])
    assert.ok(existsSync(join(packageDir, pkg.exports[key].types.replace('*', 'alert'))), key);
  assert.ok(existsSync(join(packageDir, 'LICENSE')));
  assert.ok(existsSync(join(packageDir, 'dist', 'orderflow.wasm')), "the bundle's wasm is next to it");
  const manifest = JSON.parse(readFileSync(join(packageDir, pkg.customElements), 'utf8'));
  const tags = manifest.modules
    .flatMap((m) => m.declarations ?? [])
    .map((d) => d.tagName)
    .filter(Boolean)
    .sort();
  // issue 13's admin views (of-audit-view, of-notifications-view) are reference-server-only: not in the manifest
  assert.deepEqual(tags, [
    'of-alert',
    'of-bulk-dialog',
    'of-confirm-dialog',
    'of-history-timeline',
    'of-order-detail',
    'of-order-list',
    'of-order-workspace',
    'of-status-badge',
    'of-status-dropdown',
    'of-workflow-diagram',
  ]);
  const dropdown = manifest.modules.flatMap((m) => m.declarations ?? []).find((d) => d.tagName === 'of-status-dropdown');
  assert.deepEqual(
    dropdown.events.map((e) => e.name),
    ['of-status-select'],
  );
  // the workspace's public surface of the ui branch: row controls, parts, custom properties, events
  const ws = manifest.modules.flatMap((m) => m.declarations ?? []).find((d) => d.tagName === 'of-order-workspace');
  assert.ok(
    ws.attributes.some((a) => a.name === 'controls'),
    'controls attribute',
  );
  // the list's column choice, on the workspace and the list, described for editors
  for (const tag of ['of-order-workspace', 'of-order-list']) {
    const el = manifest.modules.flatMap((m) => m.declarations ?? []).find((d) => d.tagName === tag);
    assert.match(el.attributes.find((a) => a.name === 'columns')?.description ?? '', /optional columns/, `${tag} columns attribute`);
  }
  for (const p of ['row', 'toolbar', 'messages', 'dialog', 'primary-button'])
    assert.ok(
      ws.cssParts.some((x) => x.name === p),
      `part ${p}`,
    );
  const primary = ws.cssProperties.find((x) => x.name === '--of-color-primary');
  assert.equal(primary?.default, '#1d4ed8');
  assert.deepEqual(ws.events.map((e) => e.name).sort(), ['of-loaded', 'of-session-expired']);
  const elements = await import(pathToFileURL(resolve('orderflow/elements')).href);
  assert.equal(typeof elements.createAdapter, 'function');
  assert.equal(typeof elements.OfOrderWorkspace, 'function');
  for (const f of ['defineMessages', 'overrideMessages']) assert.equal(typeof elements[f], 'function', f);
  assert.equal(elements.english.bulkActions, 'Bulk Actions');
});

test("delivery dialect: token function, the document's body, its error sentences", async () => {
  let asked = 0;
  const api = A.createAdapter({
    dialect: 'delivery',
    baseUrl: url,
    token: async () => {
      asked++;
      return 'admin-token';
    },
  });
  assert.deepEqual(
    Object.keys(api)
      .filter((k) => typeof api[k] === 'function')
      .sort(),
    ['listOrders', 'updateStatus'],
  );
  const list = await api.listOrders({});
  assert.equal(list.orders.length, 24);
  const r = await api.updateStatus(6, { status: 'delivered', notes: '', fields: {} });
  assert.equal(r.order.status, 'delivered');
  assert.equal(r.unreadable, false);
  assert.equal(delivery.requests.at(-1).body, '{"status":"delivered","tracking_number":null}');
  assert.equal(asked, 2, 'the token function is asked before every request');

  const notFound = await api.updateStatus(999, { status: 'confirmed' }).catch((e) => e);
  assert.equal(notFound.name, 'ApiError');
  assert.equal(notFound.kind, 'not_found');
  assert.equal(notFound.message, 'Order not found');
  assert.equal(notFound.messageKey, undefined, "the server's own sentence is shown as it came, not looked up");
  await assert.rejects(api.updateStatus(1, { status: 'shipped' }), {
    kind: 'invalid_status',
    status: 400,
    message: 'Invalid status value. Must be one of: pending, confirmed, assigned, in_transit, delivered, cancelled',
  });
  const manager = A.createAdapter({ dialect: 'delivery', baseUrl: url, headers: { Authorization: 'Bearer manager-token' } });
  await assert.rejects(manager.updateStatus(1, { status: 'confirmed' }), {
    kind: 'forbidden',
    status: 403,
    message: 'Not authorized to update order status',
  });
});

test('an HTML error page becomes one plain sentence with the HTTP status, never markup', async () => {
  const html = '<!DOCTYPE html><html><head><title>502</title></head><body><h1>Bad gateway</h1></body></html>';
  for (const dialect of ['cms', 'delivery']) {
    const api = A.createAdapter({ dialect, fetch: answer(502, html, 'text/html') });
    const err = await api.updateStatus(1, { status: 'confirmed' }).catch((e) => e);
    assert.equal(err.name, 'ApiError');
    assert.equal(err.kind, 'server');
    assert.equal(err.message, 'The server answered HTTP 502 (Bad Gateway) without a readable message.');
    // our own sentence, so the elements can say it in the page's language
    assert.equal(err.messageKey, 'plainStatus');
    assert.equal(
      message('de', err.messageKey, err.messageParams),
      'Der Server antwortete mit HTTP 502 (Bad Gateway) ohne lesbare Meldung.',
    );
    assert.equal(err.body, null);
    const list = await api.listOrders({}).catch((e) => e);
    assert.doesNotMatch(list.message, /[<>]/);
  }
});

test('a success the adapter cannot read is reported as unreadable; withFallbacks re-reads the order from the list', async () => {
  let calls = 0;
  const fetchImpl = async (u, init) => {
    calls++;
    if (init.method === 'PUT') return new Response('{"success":true,"message":"ok"}', { status: 200 });
    return new Response(JSON.stringify({ success: true, data: [{ id: 7, status: 'assigned' }] }), { status: 200 });
  };
  const api = A.withFallbacks(A.createAdapter({ dialect: 'delivery', fetch: fetchImpl }));
  const r = await api.updateStatus(7, { status: 'assigned' });
  assert.equal(r.order, null);
  assert.equal(r.unreadable, true);
  assert.deepEqual(await api.reread(7), { id: 7, status: 'assigned' });
  await assert.rejects(api.getOrder(8), { kind: 'not_found' });
  assert.equal(calls, 3);
});

test('mapping hooks rewrite request and response bodies', async () => {
  const seen = [];
  const fetchImpl = async (u, init) => {
    seen.push(JSON.parse(init.body ?? 'null'));
    return new Response(
      JSON.stringify(init.method === 'PUT' ? { result: { ref: 'A-1', state: 'processing' } } : { items: [{ ref: 'A-1', state: 'new' }] }),
      { status: 200 },
    );
  };
  const toOrder = (x) => ({ id: x.ref, status: x.state });
  const api = A.createAdapter({
    dialect: 'cms',
    fetch: fetchImpl,
    mapRequest: (op, body) => (op === 'updateStatus' ? { new_state: body.status } : body),
    mapResponse: (op, body) =>
      op === 'listOrders' ? { orders: body.items.map(toOrder) } : op === 'updateStatus' ? { order: toOrder(body.result) } : body,
  });
  assert.deepEqual((await api.listOrders({})).orders, [{ id: 'A-1', status: 'new' }]);
  const r = await api.updateStatus('A-1', { status: 'processing' });
  assert.deepEqual(seen.at(-1), { new_state: 'processing' });
  assert.deepEqual(r.order, { id: 'A-1', status: 'processing' });
});

test('withFallbacks: bulk without a bulk endpoint is one update per order, bounded, with progress and per-order results', async () => {
  let inFlight = 0;
  let most = 0;
  const adapter = {
    async listOrders() {
      return { orders: [], total: 0 };
    },
    async updateStatus(id) {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      if (id === 3) throw new A.ApiError({ kind: 'refused', status: 422, message: 'Order 3 is paid for later' });
      return { order: { id, status: 'confirmed' } };
    },
  };
  const api = A.withFallbacks(adapter, { concurrency: 3 });
  assert.equal(api.capabilities.bulkUpdate, false);
  assert.equal(await api.history(1), null, 'no history endpoint: null, which the timeline says in words');
  const progress = [];
  const r = await api.bulkUpdate([1, 2, 3, 4, 5, 6, 7], { status: 'confirmed' }, { onProgress: (d, t) => progress.push(`${d}/${t}`) });
  assert.equal(most, 3);
  assert.deepEqual(progress, ['1/7', '2/7', '3/7', '4/7', '5/7', '6/7', '7/7']);
  assert.deepEqual(
    r.results.map((x) => [x.id, x.ok]),
    [
      [1, true],
      [2, true],
      [3, false],
      [4, true],
      [5, true],
      [6, true],
      [7, true],
    ],
  );
  assert.equal(r.results[2].message, 'Order 3 is paid for later');
  assert.equal(r.failed, 1);
  assert.equal(r.succeeded, 6);
  assert.throws(() => A.withFallbacks({ listOrders() {} }), TypeError);
  assert.throws(() => A.createAdapter({ dialect: 'delivery', endpoints: { updateStatus: false } }), /updateStatus is required/);
});

test('withFallbacks: without events, polling reports orders whose status changed', async () => {
  let status = 'pending';
  const adapter = {
    async listOrders() {
      return {
        orders: [
          { id: 1, status },
          { id: 2, status: 'pending' },
        ],
        total: 2,
      };
    },
    async updateStatus() {
      return { order: null };
    },
  };
  const api = A.withFallbacks(adapter, { pollInterval: 20 });
  const seen = [];
  const stop = api.subscribe((c) => seen.push(c));
  await new Promise((r) => setTimeout(r, 30));
  status = 'confirmed';
  await new Promise((r) => setTimeout(r, 60));
  stop();
  assert.deepEqual(
    seen.map((c) => [c.id, c.status]),
    [[1, 'confirmed']],
  );
  assert.equal(A.withFallbacks(adapter).subscribe, undefined, 'no polling unless asked for');
});

test('tsc accepts examples/elements-typed.ts against the installed declarations, and catches misuse', () => {
  const pkg = installPackage();
  const check = (source) => typecheck(pkg, { 'x.ts': source });
  const good = check(readFileSync(join(ROOT, 'examples', 'elements-typed.ts'), 'utf8'));
  assert.equal(good.status, 0, good.stdout + good.stderr);
  const bad = check(`import { createAdapter } from 'orderflow/elements';
createAdapter({ dialect: 'soap' });
document.createElement('of-order-workspace').pollInterval = 'often';
document.createElement('of-order-workspace').controls = 'sideways';
export {};
`);
  assert.match(bad.stdout, /x\.ts\(2,\d+\).*'"soap"' is not assignable/);
  assert.match(bad.stdout, /x\.ts\(3,\d+\).*'string' is not assignable to type 'number'/);
  assert.match(bad.stdout, /x\.ts\(4,\d+\).*'"sideways"' is not assignable to type 'RowControls'/);
});
