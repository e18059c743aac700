// withFallbacks' bulkUpdate for an API without one (fallbacks.js): one updateStatus per order, at
// most `concurrency` at a time, with progress and per-order results. A module of its own, loaded
// on the first such bulk update: the self-contained bundle keeps it in a chunk, not at start.

/**
 * @param {import('../../../types/adapter').OrderAdapter} adapter
 * @param {number} concurrency
 */
export async function bulkOneByOne(adapter, concurrency, ids, change, { onProgress } = {}) {
  const results = new Array(ids.length);
  let next = 0;
  let done = 0;
  async function worker() {
    while (next < ids.length) {
      const i = next++;
      const id = ids[i];
      try {
        const r = await adapter.updateStatus(id, change, {});
        results[i] = { id, ok: true, order: r.order ?? null, unreadable: !!r.unreadable };
      } catch (err) {
        results[i] = {
          id,
          ok: false,
          status: err.status,
          kind: err.kind,
          message: err.message,
          errors: err.errors ?? [],
          ...(err.messageKey ? { messageKey: err.messageKey, messageParams: err.messageParams } : {}),
        };
      }
      done++;
      onProgress?.(done, ids.length);
    }
  }
  const n = Math.max(1, Math.min(concurrency, ids.length));
  await Promise.all(Array.from({ length: n }, worker));
  const failed = results.filter((r) => !r.ok).length;
  return { results, succeeded: results.length - failed, failed, oneByOne: true };
}
