// The `delivery` dialect (/api/orders, the quick reference): bodies {success, message, data?,
// validStatuses?, errors?}. Transition fields travel in `fields` (the server also reads tracking_number at the top level).
import { commonError } from './http.js';
import { normalizeBulk } from './cms.js';

function fail(r) {
  const b = r.body ?? {};
  const err = commonError(r.status, b.message ?? b.error?.message, {
    errors: b.errors ?? [],
    order: r.status === 409 ? (b.data ?? null) : null,
    changedBy: r.status === 409 ? (b.data?.updated_by ?? null) : null,
    changedAt: r.status === 409 ? (b.data?.updated_at ?? null) : null,
    retryAfter: r.headers?.get?.('Retry-After') ?? null,
    body: b,
  });
  if (r.status === 400 && Array.isArray(b.validStatuses)) err.kind = 'invalid_status';
  if (b.error?.code === 'csrf') err.kind = 'csrf';
  return err;
}

export class DeliveryApi {
  constructor(http) {
    this.http = http;
    this.dialect = 'delivery';
    this.workflowId = 'delivery';
  }

  async #ok(method, path, opts) {
    const r = await this.http.send(method, path, opts);
    if (r.status >= 400 || r.body?.success === false) throw fail(r);
    return r.body;
  }

  async workflow() { return this.#ok('GET', '/api/workflow'); }

  async listOrders({ status, store_id, page = 1, per_page = 50 } = {}, { signal } = {}) {
    const b = await this.#ok('GET', '/api/orders', { query: { status, store_id, page, per_page }, signal });
    const orders = b.data ?? [];
    return { orders, total: b.total ?? orders.length, page: b.page ?? page, per_page: b.per_page ?? per_page };
  }

  async getOrder(id) { return (await this.#ok('GET', `/api/orders/${encodeURIComponent(id)}`)).data; }

  async history(id) { return (await this.#ok('GET', `/api/orders/${encodeURIComponent(id)}/history`)).data ?? []; }

  async updateStatus(id, { status, notes, fields, lock_version }, { idempotencyKey } = {}) {
    const body = { status };
    if (notes) body.notes = notes;
    if (fields && Object.keys(fields).length) body.fields = fields;
    if (lock_version !== undefined && lock_version !== null) body.lock_version = lock_version;
    const b = await this.#ok('PUT', `/api/orders/${encodeURIComponent(id)}/status`, { body, idempotencyKey });
    return { order: b.data, historyEntry: b.history_entry ?? null, raw: b };
  }

  async bulkUpdate(ids, { status, notes, fields }, { idempotencyKey } = {}) {
    const body = { order_ids: ids, status };
    if (notes) body.notes = notes;
    if (fields && Object.keys(fields).length) body.fields = fields;
    const b = await this.#ok('POST', '/api/orders/bulk_update', { body, idempotencyKey });
    return normalizeBulk(b);
  }
}
