// The `delivery` dialect (`/api/orders`): the quick reference's bodies word for word,
// {success, message, data}. Mirrors the client's adapter web/src/api/delivery.js.
import { HttpError } from '../http/errors.js';
import { orderRoutes, conflictMessage, NOT_FOUND, NOT_AUTHORIZED } from './orders.js';
import * as S from './schemas.js';

const tag = 'delivery';
const schemas = {
  list: {
    type: 'object',
    properties: {
      success: { const: true },
      data: { type: 'array', items: S.order },
      page: { type: 'integer' },
      per_page: { type: 'integer' },
      total: { type: 'integer' },
    },
  },
  one: { type: 'object', properties: { success: { const: true }, data: S.order } },
  history: { type: 'object', properties: { success: { const: true }, data: { type: 'array', items: S.historyEntry } } },
  allowed: {
    type: 'object',
    properties: { success: { const: true }, current: { type: 'string' }, data: { type: 'array', items: S.option } },
  },
  change: { type: 'object', properties: { success: { const: true }, message: { type: 'string' }, data: S.order } },
};

export function deliveryRoutes(deps) {
  const view = deps.views.delivery;
  // A status-change result as the delivery dialect answers it.
  function change(v, r) {
    if (r.ok)
      return {
        status: 200,
        body: { success: true, message: 'Order status updated', data: r.order },
        events: [{ ...r.event, store_id: r.order.store_id }],
      };
    if (r.kind === 'not_found') return { status: 404, body: { success: false, message: NOT_FOUND(v) } };
    if (r.kind === 'conflict') return { status: 409, body: { success: false, message: conflictMessage(r.order), data: r.order } };
    const unknown = r.errors.find((e) => e.code === 'unknown_status');
    if (unknown) return { status: 400, body: { success: false, message: unknown.message, validStatuses: v.statusIds } };
    if (v.permissionOnly(r.errors)) return { status: 403, body: { success: false, message: NOT_AUTHORIZED(v) } };
    return { status: 422, body: { success: false, message: r.errors[0]?.message ?? 'Refused', errors: r.errors } };
  }

  orderRoutes(
    {
      name: 'delivery',
      tag,
      view,
      base: '/api/orders',
      changePath: '/api/orders/:id/status',
      changeKeys: ['status', 'tracking_number', 'notes', 'fields', 'lock_version'],
      lockRequired: false,
      schemas,
      unknownStatusFilter: (ctx, message) => new HttpError(400, { success: false, message, validStatuses: view.statusIds }),
      answers: {
        list: (orders, page, perPage, total) => ({ success: true, data: orders, page, per_page: perPage, total }),
        one: (order) => ({ success: true, data: order }),
        history: (history) => ({ success: true, data: history }),
        allowed: (current, data) => ({ success: true, current, data }),
        change,
      },
    },
    deps,
  );

  deps.define({
    method: 'GET',
    url: '/api/workflow',
    public: true,
    schema: {
      summary: 'The delivery workflow document the server enforces',
      tags: [tag],
      response: { 200: { type: 'object', additionalProperties: true } },
    },
    handler: () => ({ status: 200, body: view.wf.document }),
  });
}
