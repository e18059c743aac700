// Stand-in for an existing delivery API, implementing only what the delivery quick reference
// lists: GET /api/orders (the admin panel's list) and PUT /api/orders/:id/status with
// {status, tracking_number} and a Bearer token, answering with the document's error bodies.
// Orders keep legacy stored values (processing, shipped) as an old database would.
// Run: node examples/existing-cms/delivery-api.js [--port 4100] [--package <node_modules/orderflow>]
import { json, standIn } from './stand-in.js';

const VALID_STATUSES = ['pending', 'confirmed', 'assigned', 'in_transit', 'delivered', 'cancelled'];

// Tokens of the CMS's users; only admins may update (the document's troubleshooting: "Verify
// user has admin role").
export const USERS = {
  'admin-token': { name: 'Ada Admin', role: 'admin' },
  'manager-token': { name: 'Max Manager', role: 'manager' },
};

export function seedOrders(n = 24) {
  const cycle = ['pending', 'pending', 'processing', 'confirmed', 'assigned', 'shipped', 'in_transit', 'delivered', 'cancelled', 'pending'];
  const orders = new Map();
  for (let i = 1; i <= n; i++) {
    orders.set(i, {
      id: i,
      customer_name: `Customer ${i}`,
      address: `${i} Harbour Road`,
      status: cycle[(i - 1) % cycle.length],
      tracking_number: null,
      total: Math.round((12 + i * 3.75) * 100) / 100,
      updated_at: '2026-02-11T09:00:00.000Z',
      updated_by: null,
    });
  }
  return orders;
}

export function createDeliveryApi({ packageDir, orders = seedOrders() } = {}) {
  const changes = [];
  const revoked = new Set();
  const userOf = (req) => {
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    return m && !revoked.has(m[1]) ? (USERS[m[1]] ?? null) : null;
  };
  const api = (req, res, { path, query, body }) => {
    if (req.method === 'GET' && path === '/api/orders') {
      if (!userOf(req)) return json(res, 401, { success: false, message: 'Not authorized, token failed' });
      let list = [...orders.values()];
      const status = query.get('status');
      if (status) list = list.filter((o) => o.status === status);
      return json(res, 200, { success: true, count: list.length, data: list });
    }
    const m = /^\/api\/orders\/([^/]+)\/status$/.exec(path);
    if (req.method === 'PUT' && m) {
      const user = userOf(req);
      if (!user || user.role !== 'admin') return json(res, 403, { success: false, message: 'Not authorized to update order status' });
      const { status, tracking_number: tracking } = body ?? {};
      if (!VALID_STATUSES.includes(status)) {
        return json(res, 400, {
          success: false,
          message: `Invalid status value. Must be one of: ${VALID_STATUSES.join(', ')}`,
          validStatuses: VALID_STATUSES,
        });
      }
      const order = orders.get(Number(m[1]));
      if (!order) return json(res, 404, { success: false, message: 'Order not found' });
      changes.push({ id: order.id, from: order.status, to: status, tracking_number: tracking ?? null });
      order.status = status;
      if (tracking !== undefined && tracking !== null) order.tracking_number = tracking;
      order.updated_at = new Date().toISOString();
      order.updated_by = user.name;
      return json(res, 200, { success: true, message: 'Order status updated successfully', order });
    }
    return false;
  };
  const s = standIn({ packageDir, page: 'delivery.html', api });
  return { ...s, orders, changes, revoke: (token) => revoked.add(token) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name, dflt) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : dflt;
  };
  const s = createDeliveryApi({ packageDir: arg('--package', new URL('../../', import.meta.url).pathname) });
  console.log(`delivery stand-in listening on ${await s.listen(Number(arg('--port', 4100)))}`);
}
