// The `cms` dialect: the CMS order status update flow's `/api/v1` endpoints. The document lists
// PUT /api/v1/orders/:id, POST /api/v1/orders/bulk_update, GET …/:id/history and
// GET …/:id/allowed_statuses; the list view's orders come from GET /api/v1/orders. The reference
// server adds GET /api/v1/orders/:id, GET /api/v1/workflow and the event stream (`extra`).
// Errors: the reference server's {error: {code, message}, errors?, order?}, or {message}/{error}.
import { commonError } from './http.js';

const orderOf = (b) => (b && typeof b === 'object' ? (b.order ?? (b.id !== undefined && typeof b.status === 'string' ? b : null)) : null);

export const cms = {
  id: 'cms',
  workflow: 'cms',
  events: '/api/v1/events',
  endpoints: {
    listOrders: { method: 'GET', path: '/api/v1/orders' },
    updateStatus: { method: 'PUT', path: '/api/v1/orders/:id' },
    bulkUpdate: { method: 'POST', path: '/api/v1/orders/bulk_update' },
    history: { method: 'GET', path: '/api/v1/orders/:id/history' },
    allowedStatuses: { method: 'GET', path: '/api/v1/orders/:id/allowed_statuses' },
    getOrder: { method: 'GET', path: '/api/v1/orders/:id', extra: true },
    workflow: { method: 'GET', path: '/api/v1/workflow', extra: true },
  },

  failed: (r) => r.status >= 400,

  error(r) {
    const b = r.body ?? {};
    const e = typeof b.error === 'object' && b.error ? b.error : {};
    const message = e.message ?? (typeof b.error === 'string' ? b.error : undefined) ?? b.message;
    const err = commonError(r.status, message, {
      errors: Array.isArray(b.errors) ? b.errors : [],
      order: orderOf(b),
      changedBy: e.changed_by ?? null,
      changedAt: e.changed_at ?? null,
      retryAfter: r.headers?.get?.('Retry-After') ?? null,
      body: r.body,
    });
    if (e.code === 'csrf') err.kind = 'csrf';
    return err;
  },

  body: {
    updateStatus({ status, notes, fields, lock_version }, { reference }) {
      const body = { status };
      if (notes) body.notes = notes;
      if (fields && Object.keys(fields).length) body.fields = fields;
      if (reference || (lock_version !== undefined && lock_version !== null)) body.lock_version = lock_version;
      return body;
    },
  },

  read: {
    listKeys: ['orders', 'data'], // where a list answer keeps its orders (rest.js reads the rest of it)
    updateStatus: (b) => ({ order: orderOf(b), historyEntry: b?.history_entry ?? null }),
    getOrder: orderOf,
    history: (b) => (Array.isArray(b) ? b : (b?.history ?? b?.data ?? [])),
    allowedStatuses: (b) => (Array.isArray(b) ? b : (b?.allowed_statuses ?? b?.statuses ?? [])),
  },
};
