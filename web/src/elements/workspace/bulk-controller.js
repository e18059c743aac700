// Bulk status updates: the dialog's state, sending the eligible ids in chunks of at most 100 with
// progress (or all at once: above the adapter's bulkJobThreshold, where the server runs one
// background job, or, when the API has no bulk endpoint, one stream of single updates from
// withFallbacks; their progress repainted at most once a frame), per-order results (updated, failed,
// and skipped: the orders the engine refused before sending), and retrying only the failures that
// could succeed. A success whose answer could not be read reloads the list afterwards.
import { newIdempotencyKey } from '../../api/http.js';
import { splitValues } from '../../rules.js';
import { retryable } from './support.js';
import { said } from './problems.js';

export const CHUNK = 100;

export class BulkController {
  constructor(host) {
    this.host = host;
    host.addController(this);
  }

  hostConnected() {}

  open() {
    const s = this.host.state;
    const orders = s.orders.filter((o) => s.selected.has(o.id));
    if (!orders.length) return;
    this.host.set({ bulk: { open: true, orders, phase: 'form', progress: { done: 0, total: 0 }, results: [], run: null } });
  }

  /** `skipped`: the engine's blocked orders of the plan ({id, errors}), listed and counted, never sent. */
  async run(ids, to, values, previous = [], skipped = []) {
    const h = this.host;
    const { notes, fields } = splitValues(values);
    h.set({ bulk: { ...h.state.bulk, phase: 'running', progress: { done: 0, total: ids.length }, run: { to, values } } });
    const results = new Map(previous.map((r) => [r.id, r]));
    for (const b of skipped)
      results.set(b.id, { id: b.id, ok: false, skipped: true, message: b.errors.map((x) => x.message).join(' '), errors: b.errors });
    let done = 0;
    let reload = false;
    // chunks bound a bulk endpoint's requests; one-by-one updates run as one stream instead, and
    // so does a selection the server runs as one background job (it reports its own progress)
    const whole = h.api.capabilities?.bulkUpdate === false || ids.length > (h.api.bulkJobThreshold ?? Infinity);
    const size = whole ? ids.length : CHUNK;
    for (let i = 0; i < ids.length; i += size) {
      const chunk = ids.slice(i, i + size);
      let painted = true;
      let latest = 0;
      // one update per order reports after each: shown at most once a frame, not 1,000 renders
      const onProgress = (n) => {
        latest = done + n;
        if (!painted) return;
        painted = false;
        requestAnimationFrame(() => {
          painted = true;
          if (h.state.bulk?.phase === 'running') h.set({ bulk: { ...h.state.bulk, progress: { done: latest, total: ids.length } } });
        });
      };
      try {
        const r = await h.api.bulkUpdate(chunk, { status: to, notes, fields }, { idempotencyKey: newIdempotencyKey(), onProgress });
        const got = new Set();
        const updated = [];
        for (const x of r.results) {
          got.add(x.id);
          results.set(x.id, this.#inWords(x));
          if (x.ok && x.order) updated.push(x.order);
          if (x.ok && !x.order) reload = true; // a success whose answer was unreadable
        }
        h.orders.replace(...updated);
        for (const id of chunk) if (!got.has(id)) results.set(id, { id, ok: false, message: h.i18n.t('noResult') });
      } catch (err) {
        if (err.messageKey === 'jobUnreadable') {
          // accepted as a server job whose end could not be read: not "failed", not retried (the
          // job may still apply them); the list is read again afterwards
          reload = true;
          const msg = said(err, (k, p) => h.i18n.t(k, p));
          for (const id of chunk) results.set(id, { id, ok: false, status: 202, message: msg, kind: 'job' });
        } else {
          const msg = err.kind === 'network' ? h.i18n.t('notApplied') : h.problem(err).message;
          for (const id of chunk) results.set(id, { id, ok: false, message: msg, kind: err.kind });
        }
      }
      done += chunk.length;
      h.set({ bulk: { ...h.state.bulk, progress: { done, total: ids.length } } });
    }
    const sent = new Set([...ids, ...skipped.map((b) => b.id)]);
    const order = [...previous.map((r) => r.id).filter((id) => !sent.has(id)), ...skipped.map((b) => b.id), ...ids];
    const list = order.map((id) => results.get(id)).map((r) => (r.ok ? r : { ...r, retryable: retryable(r) }));
    const skippedN = list.filter((r) => r.skipped).length;
    const failed = list.filter((r) => !r.ok && !r.skipped).length;
    h.set({ bulk: { ...h.state.bulk, phase: 'done', results: list } });
    if (reload) h.load();
    h.alert(
      failed || skippedN ? 'warning' : 'success',
      h.i18n.t('bulkAlert', { ok: list.length - failed - skippedN, failed, skipped: skippedN }),
      { key: 'bulk' },
    );
  }

  // A per-order result in the page's language: the adapters' own sentences by key, a lost request
  // as "not applied" (the one-by-one fallback reports the network per order); the server's words as sent.
  #inWords(x) {
    const h = this.host;
    if (x.ok) return x;
    if (x.messageKey) return { ...x, message: said(x, (k, p) => h.i18n.t(k, p)) };
    if (x.kind === 'network') return { ...x, message: h.i18n.t('notApplied') };
    return x;
  }

  retryFailed() {
    const b = this.host.state.bulk;
    if (!b?.run) return;
    const failedIds = b.results.filter((r) => !r.ok && r.retryable).map((r) => r.id);
    if (!failedIds.length) return;
    this.run(failedIds, b.run.to, b.run.values, b.results);
  }

  /** Closes the dialog; the orders it updated are no longer selected; focus back on Bulk Actions. */
  close() {
    const h = this.host;
    const b = h.state.bulk;
    const sel = new Set(h.state.selected);
    if (b?.phase === 'done') for (const r of b.results) if (r.ok) sel.delete(r.id);
    h.set({ bulk: null, selected: sel });
    h.focusRow({ bulk: true });
  }
}
