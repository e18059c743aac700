// A bulk update that may run as a server-side job (issue 13): above the server's threshold
// (500 ids) `POST .../bulk_update` answers 202 with a job id; this helper then follows the job
// (GET /api/v1/jobs/:id, polled) and resolves with the same shape as the adapters' bulkUpdate
// ({results, succeeded, failed}). At or below the threshold it is one ordinary bulk request.
// The job keeps running on the server if the page is closed; `jobId` lets a page pick it up again.
import { ApiError, commonError } from './http.js';
import { normalizeBulk, bulkBody } from './bulk.js';

export { normalizeBulk, bulkBody };

const PATHS = { cms: '/api/v1/orders/bulk_update', delivery: '/api/orders/bulk_update' };

function fail(r) {
  return commonError(r.status, r.body?.error?.message ?? r.body?.message, { errors: r.body?.errors ?? [], body: r.body });
}

/**
 * @param {import('./http.js').Http} http
 * @param {'cms'|'delivery'} dialect
 * @param {number[]} ids
 * @param {{status: string, notes?: string, fields?: object}} change
 * @param {{idempotencyKey?: string, onProgress?: (p: {done: number, total: number, jobId: string}) => void,
 *   pollMs?: number, signal?: AbortSignal}} [opts]
 */
export async function bulkUpdateAsJob(http, dialect, ids, change, { idempotencyKey, onProgress, pollMs = 500, signal } = {}) {
  const r = await http.send('POST', PATHS[dialect], { body: bulkBody(ids, change), idempotencyKey, signal });
  if (r.status >= 400) throw fail(r);
  if (r.status !== 202) return normalizeBulk(r.body);
  return followJob(http, r.body.job_id, { onProgress, pollMs, signal });
}

/** Polls a job until it is done; resolves with {results, succeeded, failed, jobId}. */
export async function followJob(http, jobId, { onProgress, pollMs = 500, signal, maxLost = 20 } = {}) {
  // The job runs on the server whatever happens to this page's connection: a lost poll is asked
  // again (up to `maxLost` times in a row), never read as "not applied".
  let lost = 0;
  const get = async (query) => {
    for (;;) {
      try {
        const r = await http.send('GET', `/api/v1/jobs/${encodeURIComponent(jobId)}`, { query, signal });
        if (r.status >= 400) throw fail(r);
        lost = 0;
        return r.body.job;
      } catch (err) {
        if (err?.kind !== 'network') throw err;
        if (++lost > maxLost) throw new ApiError({ kind: 'server', messageKey: 'jobUnreadable', messageParams: { id: jobId } });
        await wait(pollMs * 2, signal);
      }
    }
  };
  for (;;) {
    const job = await get({ results: 0 });
    onProgress?.({ done: job.done, total: job.total, jobId });
    if (job.state === 'done') break;
    await wait(pollMs, signal);
  }
  return { ...normalizeBulk(await get(undefined)), jobId };
}

function wait(ms, signal) {
  return new Promise((res, rej) => {
    const t = setTimeout(res, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        rej(signal.reason);
      },
      { once: true },
    );
  });
}
