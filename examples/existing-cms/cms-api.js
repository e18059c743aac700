// Stand-in for an existing CMS API, implementing only what the CMS order status update flow
// lists under "API Endpoints Used": PUT /api/v1/orders/:id, POST /api/v1/orders/bulk_update,
// GET /api/v1/orders/:id/history, GET /api/v1/orders/:id/allowed_statuses, plus the list view's
// GET /api/v1/orders. No single-order GET, no workflow endpoint, no event stream, no login API:
// the CMS's own session cookie (set when it serves its page) and a CSRF token from the page's
// <meta name="csrf-token"> on every change. It decides with the orderflow engine (the package's
// own module), as a company adopting it on the server side would.
// Run: node examples/existing-cms/cms-api.js [--port 4101] [--package <node_modules/orderflow>]
import { randomUUID } from 'node:crypto';
import { createOrderFlow } from 'orderflow';
import { json, standIn } from './stand-in.js';

const ACTOR = { role: 'store_manager', stores: ['1'] };
const STATUSES = ['new', 'new', 'processing', 'ready_for_pickup', 'new', 'completed', 'processing', 'cancelled'];

export function seedOrders(n = 16) {
  const orders = new Map();
  for (let i = 1; i <= n; i++) {
    orders.set(i, {
      id: i,
      customer: `Customer ${100 + i}`,
      store_id: '1',
      status: STATUSES[(i - 1) % STATUSES.length],
      payment_status: i % 5 === 0 ? 'pending' : 'paid',
      items: [{ sku: `SKU-${i}`, quantity: 1, in_stock: true }],
      updated_at: '2023-08-02T10:00:00.000Z',
      updated_by: null,
    });
  }
  return orders;
}

export async function createCmsApi({ packageDir, orders = seedOrders() } = {}) {
  const wf = (await createOrderFlow()).workflow('cms');
  const sessions = new Map(); // cookie value → csrf token
  const history = new Map();
  let nextHistoryId = 1;

  const session = (req) => {
    const m = /(?:^|;\s*)cms_session=([^;]+)/.exec(req.headers.cookie ?? '');
    return m && sessions.has(m[1]) ? { id: m[1], csrf: sessions.get(m[1]) } : null;
  };

  function change(order, to, notes, fields) {
    const verdict = wf.check(order, to, { ...(fields ?? {}), ...(notes ? { notes } : {}) }, ACTOR);
    if (!verdict.ok) return { ok: false, status: 422, message: verdict.errors[0].message, errors: verdict.errors };
    const entry = {
      id: nextHistoryId++,
      from_status: order.status,
      to_status: to,
      actor: 'Sam Store',
      at: new Date().toISOString(),
      notes: notes || null,
      fields: fields ?? null,
    };
    (history.get(order.id) ?? history.set(order.id, []).get(order.id)).push(entry);
    order.status = to;
    order.updated_at = entry.at;
    order.updated_by = entry.actor;
    return { ok: true, order };
  }

  const api = (req, res, { path, query, body }) => {
    const s = session(req);
    if (!s) return json(res, 401, { message: 'Please sign in to the CMS again.' });
    if (req.method !== 'GET' && req.headers['x-csrf-token'] !== s.csrf)
      return json(res, 403, { message: 'The form has expired: reload the page.' });
    if (req.method === 'GET' && path === '/api/v1/orders') {
      let list = [...orders.values()];
      if (query.get('status')) list = list.filter((o) => o.status === query.get('status'));
      const page = Math.max(1, Number(query.get('page')) || 1);
      const per = Math.min(5000, Math.max(1, Number(query.get('per_page')) || 50));
      return json(res, 200, { orders: list.slice((page - 1) * per, page * per), total: list.length, page, per_page: per });
    }
    if (req.method === 'POST' && path === '/api/v1/orders/bulk_update') {
      const ids = Array.isArray(body?.order_ids) ? body.order_ids : [];
      const results = ids.map((id) => {
        const order = orders.get(Number(id));
        if (!order) return { id, ok: false, error: 'Order not found' };
        const r = change(order, body.status, body.notes, body.fields);
        return r.ok ? { id, ok: true, order: r.order } : { id, ok: false, error: r.message };
      });
      return json(res, 200, { success: results.every((r) => r.ok), results });
    }
    const m = /^\/api\/v1\/orders\/(\d+)(\/history|\/allowed_statuses)?$/.exec(path);
    const order = m && orders.get(Number(m[1]));
    if (m && !order && (m[2] || req.method === 'PUT')) return json(res, 404, { message: 'Order not found' });
    if (m && req.method === 'GET' && m[2] === '/history') return json(res, 200, { history: history.get(order.id) ?? [] });
    if (m && req.method === 'GET' && m[2] === '/allowed_statuses') {
      return json(res, 200, { allowed_statuses: wf.allowed(order, ACTOR).map((o) => o.id) });
    }
    if (m && req.method === 'PUT' && !m[2]) {
      const r = change(order, body?.status, body?.notes, body?.fields);
      return r.ok ? json(res, 200, r.order) : json(res, r.status, { message: r.message, errors: r.errors });
    }
    return false;
  };

  const s = standIn({
    packageDir,
    page: 'cms.html',
    api,
    // the CMS renders its page with a session cookie and the CSRF token in a <meta>
    pageTransform(html) {
      const id = randomUUID();
      const csrf = randomUUID();
      sessions.set(id, csrf);
      return { body: html.replace('__CSRF__', csrf), headers: { 'Set-Cookie': `cms_session=${id}; Path=/; HttpOnly; SameSite=Strict` } };
    },
  });
  return { ...s, orders, history };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name, dflt) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : dflt;
  };
  const s = await createCmsApi({ packageDir: arg('--package', new URL('../../', import.meta.url).pathname) });
  console.log(`cms stand-in listening on ${await s.listen(Number(arg('--port', 4101)))}`);
}
