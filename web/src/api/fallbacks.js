// withFallbacks(adapter): the one place where the elements' needs meet what an API offers.
// Required: listOrders, updateStatus. Everything else is used when present and otherwise filled
// in here, so the elements can always call it:
//   bulkUpdate    → one updateStatus per order, at most `concurrency` at a time, with progress
//                   and per-order results (the workspace retries the failed ones);
//   getOrder      → the order as the last list query returns it;
//   history       → resolves to null: "this API keeps no history" (the timeline says so);
//   subscribe     → polling of the last list query every `pollInterval` ms (0 = off);
//   workflow      → absent: the page names a built-in workflow or passes a document.
// `capabilities` says which of these the API itself has.
import { ApiError } from './http.js';

const WRAPPED = Symbol('orderflow.withFallbacks');

/**
 * @param {import('../../../types/adapter').OrderAdapter} adapter
 * @param {{concurrency?: number, pollInterval?: number}} [options]
 */
export function withFallbacks(adapter, { concurrency = 6, pollInterval = 0 } = {}) {
  if (!adapter || typeof adapter.listOrders !== 'function' || typeof adapter.updateStatus !== 'function') {
    throw new TypeError('An orderflow adapter needs listOrders(query) and updateStatus(id, change)');
  }
  if (adapter[WRAPPED]) return adapter;
  let lastQuery = { page: 1, per_page: 50 };

  const capabilities = Object.freeze({
    getOrder: typeof adapter.getOrder === 'function',
    history: typeof adapter.history === 'function',
    bulkUpdate: typeof adapter.bulkUpdate === 'function',
    allowedStatuses: typeof adapter.allowedStatuses === 'function',
    subscribe: typeof adapter.subscribe === 'function',
    workflow: typeof adapter.workflow === 'function',
  });

  const listOrders = (query = {}, opts) => {
    lastQuery = { ...query };
    return adapter.listOrders(query, opts);
  };

  async function orderFromList(id) {
    const r = await adapter.listOrders(lastQuery);
    const found = r.orders.find((o) => String(o.id) === String(id));
    if (!found) throw new ApiError({ kind: 'not_found', status: 404, messageKey: 'notInList', messageParams: { id } });
    return found;
  }

  function poll(onChange) {
    const seen = new Map();
    let stopped = false;
    let timer = null;
    const tick = async () => {
      try {
        const r = await adapter.listOrders(lastQuery);
        for (const o of r.orders) {
          const sig = `${o.status}\u0000${o.lock_version ?? ''}\u0000${o.updated_at ?? ''}`;
          const before = seen.get(o.id);
          seen.set(o.id, sig);
          if (before !== undefined && before !== sig) onChange({ id: o.id, status: o.status, lock_version: o.lock_version, order: o });
        }
      } catch {
        // a failed poll is tried again at the next tick; the list's own load reports errors
      }
      if (!stopped) timer = setTimeout(tick, pollInterval);
    };
    timer = setTimeout(tick, 0);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }

  const wrapped = {
    [WRAPPED]: true,
    raw: adapter,
    capabilities,
    dialect: adapter.dialect,
    workflowId: adapter.workflowId,
    listOrders,
    updateStatus: (id, change, opts) => adapter.updateStatus(id, change, opts),
    getOrder: capabilities.getOrder ? (id) => adapter.getOrder(id) : orderFromList,
    /** The order as the server now holds it (after an answer that could not be read). */
    reread: capabilities.getOrder ? (id) => adapter.getOrder(id) : orderFromList,
    history: capabilities.history ? (id) => adapter.history(id) : async () => null,
    allowedStatuses: capabilities.allowedStatuses ? (id) => adapter.allowedStatuses(id) : undefined,
    bulkUpdate: capabilities.bulkUpdate
      ? (ids, change, opts) => adapter.bulkUpdate(ids, change, opts)
      : async (ids, change, opts) => (await import('./one-by-one.js')).bulkOneByOne(adapter, concurrency, ids, change, opts),
    /** Above this many ids one bulkUpdate call runs as a server job reporting progress (sent whole). */
    bulkJobThreshold: capabilities.bulkUpdate ? adapter.bulkJobThreshold : undefined,
    workflow: capabilities.workflow ? () => adapter.workflow() : undefined,
    subscribe: capabilities.subscribe ? (fn) => adapter.subscribe(fn) : pollInterval > 0 ? poll : undefined,
  };
  return wrapped;
}
