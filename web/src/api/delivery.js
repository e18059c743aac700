// The `delivery` dialect, as the delivery quick reference writes it: GET /api/orders
// ({success, data}) and PUT /api/orders/:id/status with {status, tracking_number} at the top level
// and a Bearer token; error bodies {success: false, message, validStatuses?}, whose message is
// the sentence shown. The reference server adds one order, history, bulk, workflow (`extra`).
import { commonError } from './http.js';

const orderOf = (b) => {
  const o = b && typeof b === 'object' ? (b.data ?? b.order ?? null) : null;
  return o && typeof o === 'object' && !Array.isArray(o) && typeof o.status === 'string' ? o : null;
};

export const delivery = {
  id: 'delivery',
  workflow: 'delivery',
  events: '/api/v1/events',
  endpoints: {
    listOrders: { method: 'GET', path: '/api/orders' },
    updateStatus: { method: 'PUT', path: '/api/orders/:id/status' },
    getOrder: { method: 'GET', path: '/api/orders/:id', extra: true },
    history: { method: 'GET', path: '/api/orders/:id/history', extra: true },
    bulkUpdate: { method: 'POST', path: '/api/orders/bulk_update', extra: true },
    workflow: { method: 'GET', path: '/api/workflow', extra: true },
  },

  failed: (r) => r.status >= 400 || r.body?.success === false,

  error(r) {
    const b = r.body ?? {};
    const err = commonError(r.status >= 400 ? r.status : 422, b.message ?? b.error?.message, {
      errors: Array.isArray(b.errors) ? b.errors : [],
      order: r.status === 409 ? orderOf(b) : null,
      changedBy: r.status === 409 ? (b.data?.updated_by ?? null) : null,
      changedAt: r.status === 409 ? (b.data?.updated_at ?? null) : null,
      retryAfter: r.headers?.get?.('Retry-After') ?? null,
      body: r.body,
    });
    if (r.status === 400 && Array.isArray(b.validStatuses)) err.kind = 'invalid_status';
    if (b.error?.code === 'csrf') err.kind = 'csrf';
    return err;
  },

  body: {
    // Exactly the document's body; notes (and any other field) only when there is one.
    updateStatus({ status, notes, fields = {}, lock_version }, { reference }) {
      const { tracking_number: tracking = null, ...rest } = fields;
      const body = { status, tracking_number: tracking };
      if (notes) body.notes = notes;
      if (Object.keys(rest).length) body.fields = rest;
      if (reference && lock_version !== undefined && lock_version !== null) body.lock_version = lock_version;
      return body;
    },
  },

  read: {
    listKeys: ['data', 'orders'], // where a list answer keeps its orders (rest.js reads the rest of it)
    updateStatus: (b) => ({ order: orderOf(b), historyEntry: b?.history_entry ?? null }),
    getOrder: orderOf,
    history: (b) => (Array.isArray(b) ? b : (b?.data ?? [])),
  },
};
