// The `cms` dialect (/api/v1, docs/rest-api.md): errors as {error: {code, message}, errors?, order?}.
import { ApiError, commonError } from './http.js';

function fail(r) {
  const e = r.body?.error ?? {};
  const kind = e.code === 'csrf' ? 'csrf' : undefined;
  const err = commonError(r.status, e.message ?? r.body?.message, {
    errors: r.body?.errors ?? [],
    order: r.body?.order ?? null,
    changedBy: e.changed_by ?? null,
    changedAt: e.changed_at ?? null,
    retryAfter: r.headers?.get?.('Retry-After') ?? null,
    body: r.body,
  });
  if (kind) err.kind = kind;
  return err;
}

export class CmsApi {
  constructor(http) {
    this.http = http;
    this.dialect = 'cms';
    this.workflowId = 'cms';
  }

  async #ok(method, path, opts) {
    const r = await this.http.send(method, path, opts);
    if (r.status >= 400) throw fail(r);
    return r.body;
  }

  async workflow() { return this.#ok('GET', '/api/v1/workflow'); }

  async listOrders({ status, store_id, page = 1, per_page = 50 } = {}, { signal } = {}) {
    const b = await this.#ok('GET', '/api/v1/orders', { query: { status, store_id, page, per_page }, signal });
    return { orders: b.orders ?? [], total: b.total ?? (b.orders ?? []).length, page: b.page ?? page, per_page: b.per_page ?? per_page };
  }

  async getOrder(id) { return (await this.#ok('GET', `/api/v1/orders/${encodeURIComponent(id)}`)).order; }

  async history(id) { return (await this.#ok('GET', `/api/v1/orders/${encodeURIComponent(id)}/history`)).history ?? []; }

  async updateStatus(id, { status, notes, fields, lock_version }, { idempotencyKey } = {}) {
    const body = { status, lock_version };
    if (notes) body.notes = notes;
    if (fields && Object.keys(fields).length) body.fields = fields;
    const b = await this.#ok('PUT', `/api/v1/orders/${encodeURIComponent(id)}`, { body, idempotencyKey });
    return { order: b.order, historyEntry: b.history_entry ?? null, raw: b };
  }

  async bulkUpdate(ids, { status, notes, fields }, { idempotencyKey } = {}) {
    const body = { order_ids: ids, status };
    if (notes) body.notes = notes;
    if (fields && Object.keys(fields).length) body.fields = fields;
    const b = await this.#ok('POST', '/api/v1/orders/bulk_update', { body, idempotencyKey });
    return normalizeBulk(b);
  }
}

export function normalizeBulk(b) {
  const results = (b.results ?? []).map((r) => (r.ok
    ? { id: r.id, ok: true, order: r.order }
    : {
      id: r.id, ok: false, status: r.status,
      message: (typeof r.error === 'string' ? r.error : r.error?.message) ?? r.message ?? r.errors?.[0]?.message ?? 'Refused',
      errors: r.errors ?? [],
    }));
  return {
    results,
    succeeded: b.succeeded ?? results.filter((r) => r.ok).length,
    failed: b.failed ?? results.filter((r) => !r.ok).length,
  };
}

export { ApiError };
