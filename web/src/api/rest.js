// createAdapter(): one REST adapter for a built-in dialect (cms, delivery), holding only the
// methods whose endpoints the API has. What is missing is filled in one place, withFallbacks()
// (fallbacks.js), which the workspace applies; this file only speaks HTTP.
import { Http, ApiError } from './http.js';
import { cms } from './cms.js';
import { delivery } from './delivery.js';
import { normalizeBulk, bulkBody } from './bulk.js';

export { normalizeBulk };

export const DIALECTS = { cms, delivery };

// What an answer or history entry says about a customer notification of this change:
// {state} ('pending' | 'held' | 'failed' | 'sent'), null when it says there is none, undefined
// when it does not say (the reference server: `notification` and `customer_notified`).
function notificationOf(x) {
  if (!x || typeof x !== 'object') return undefined;
  if (x.customer_notified === true) return { state: 'sent' };
  if (x.notification && typeof x.notification === 'object') {
    return { state: ['pending', 'held', 'failed', 'sent'].includes(x.notification.state) ? x.notification.state : 'pending' };
  }
  if ('notification' in x || 'customer_notified' in x) return null;
  return undefined;
}

const pathFor = (template, id) => template.replace(':id', encodeURIComponent(id));

// A list answer, the same in both dialects but for where the orders are: the answer itself when
// it is an array, else the first of the dialect's `read.listKeys` that is set; paging as given,
// or as asked.
function readList(b, q, keys) {
  let orders = Array.isArray(b) ? b : undefined;
  for (const key of keys) orders ??= b?.[key];
  orders ??= [];
  return { orders, total: b?.total ?? orders.length, page: b?.page ?? q.page, per_page: b?.per_page ?? q.per_page };
}

/**
 * @param {import('../../../types/adapter').RestAdapterOptions} [options]
 * @returns {import('../../../types/adapter').OrderAdapter}
 */
export function createAdapter(options = {}) {
  const {
    dialect = 'cms',
    baseUrl = '',
    token,
    headers,
    credentials,
    fetch: fetchImpl,
    endpoints = {},
    mapRequest,
    mapResponse,
    reference = false,
    http: sharedHttp,
  } = options;
  const d = typeof dialect === 'string' ? DIALECTS[dialect] : dialect;
  if (!d) throw new TypeError(`Unknown API dialect "${dialect}" (built in: ${Object.keys(DIALECTS).join(', ')})`);
  const http = sharedHttp ?? new Http({ baseUrl, fetchImpl, token, headers, credentials, reference });

  // Which endpoints exist: the document's own, the reference server's extras when `reference`,
  // and per-endpoint overrides (false = absent, a string = that path, true = the dialect's path).
  const paths = {};
  for (const [op, spec] of Object.entries(d.endpoints)) {
    const want = endpoints[op] ?? (spec.extra ? reference : true);
    if (want) paths[op] = { method: spec.method, path: typeof want === 'string' ? want : spec.path };
  }
  for (const op of ['listOrders', 'updateStatus']) {
    if (!paths[op]) throw new TypeError(`${op} is required: the elements cannot work without it`);
  }

  async function call(op, { id, query, body, idempotencyKey, signal } = {}) {
    const { method, path } = paths[op];
    const sent = body !== undefined && mapRequest ? mapRequest(op, body, { id }) : body;
    const r = await http.send(method, pathFor(path, id), { query, body: sent, idempotencyKey, signal });
    if (!r.json) {
      if (r.status >= 400) throw d.error({ ...r, body: null });
      return { readable: false, status: r.status, body: null };
    }
    const got = mapResponse ? { ...r, body: mapResponse(op, r.body, { id, status: r.status }) } : r;
    if (d.failed(got)) throw d.error(got);
    return { readable: true, status: got.status, body: got.body };
  }

  // A 2xx answer without the JSON the dialect expects (an HTML page, an empty body).
  function unreadable(what, status, id) {
    return new ApiError({ kind: 'server', status, messageKey: 'unreadableAnswer', messageParams: { what, id, status } });
  }

  const api = {
    dialect: d.id,
    workflowId: options.workflowId ?? d.workflow,
    http,

    async listOrders(query = {}, { signal } = {}) {
      const q = { status: query.status, store_id: query.store_id, page: query.page ?? 1, per_page: query.per_page ?? 50 };
      const r = await call('listOrders', { query: q, signal });
      if (!r.readable) throw unreadable('list', r.status);
      return readList(r.body, q, d.read.listKeys);
    },

    /**
     * Resolves to {order, historyEntry, notification, unreadable}: `order` is null when the answer
     * was a success the adapter could not read; `notification` ({state}) only when the API said
     * that this change notifies the customer, else null (the elements then say nothing about it).
     */
    async updateStatus(id, change, { idempotencyKey } = {}) {
      const body = d.body.updateStatus(change, { reference });
      const r = await call('updateStatus', { id, body, idempotencyKey: reference ? idempotencyKey : undefined });
      const read = r.readable ? d.read.updateStatus(r.body) : { order: null, historyEntry: null };
      let notification = notificationOf(r.body) ?? notificationOf(read.historyEntry);
      if (notification === undefined && read.order && reference && paths.history) {
        // The reference server's change answer does not say; its history entry of this version does.
        try {
          const entry = (await api.history(id)).find((e) => e.lock_version === read.order.lock_version);
          notification = notificationOf(entry);
        } catch {
          /* not known: nothing is said */
        }
      }
      return { ...read, notification: notification ?? null, unreadable: !read.order, raw: r.body };
    },
  };

  if (paths.getOrder) {
    api.getOrder = async (id) => {
      const r = await call('getOrder', { id });
      const order = r.readable ? d.read.getOrder(r.body) : null;
      if (!order) throw unreadable('order', r.status, id);
      return order;
    };
  }
  if (paths.history) {
    api.history = async (id) => {
      const r = await call('history', { id });
      if (!r.readable) throw unreadable('history', r.status, id);
      return d.read.history(r.body);
    };
  }
  if (paths.allowedStatuses) {
    api.allowedStatuses = async (id) => {
      const r = await call('allowedStatuses', { id });
      if (!r.readable) throw unreadable('allowed', r.status, id);
      return d.read.allowedStatuses(r.body);
    };
  }
  if (paths.bulkUpdate) {
    // The reference server runs a bulk of more than 500 orders as a background job (202 + job
    // id): followed here to the same per-order results, its progress reported through
    // `onProgress` like the per-order fallback's. `bulkJobThreshold` tells the workspace to send
    // such a selection in one call rather than in its chunks of 100.
    api.bulkUpdate = async (ids, change, { idempotencyKey, onProgress } = {}) => {
      const r = await call('bulkUpdate', { body: bulkBody(ids, change), idempotencyKey: reference ? idempotencyKey : undefined });
      if (!r.readable) throw unreadable('bulk', r.status);
      if (r.status === 202 && reference && r.body?.job_id) {
        const { followJob } = await import('./jobs.js'); // on the first job only (bulk.js says why)
        const job = await followJob(http, r.body.job_id, { onProgress: onProgress && ((p) => onProgress(p.done, p.total)) });
        return { ...job, job: true };
      }
      return normalizeBulk(r.body);
    };
    if (reference) api.bulkJobThreshold = 500;
  }
  if (paths.workflow) {
    api.workflow = async () => {
      const r = await call('workflow');
      if (!r.readable) throw unreadable('workflow', r.status);
      return r.body;
    };
  }
  const events = endpoints.events ?? (reference ? d.events : null);
  if (events && typeof EventSource !== 'undefined') {
    // Server-sent events named `order`, data {id, status, lock_version, workflow, …}.
    api.subscribe = (onChange) => {
      const es = new EventSource(http.url(events), { withCredentials: true });
      es.addEventListener('order', (ev) => {
        let data;
        try {
          data = JSON.parse(ev.data);
        } catch {
          return;
        }
        if (!data.workflow || data.workflow === api.workflowId) onChange(data);
      });
      return () => es.close();
    };
  }
  return api;
}
