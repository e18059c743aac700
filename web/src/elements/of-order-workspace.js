import { LitElement, html, css, nothing } from 'lit';
import { base } from './shared-styles.js';
import { newIdempotencyKey } from '../api/http.js';
import { withFallbacks } from '../api/fallbacks.js';
import { rulesFor } from '../workflow-source.js';
import { splitValues } from '../rules.js';
import './of-order-list.js';
import './of-order-detail.js';
import './of-confirm-dialog.js';
import './of-bulk-dialog.js';
import './of-alert.js';

const CHUNK = 100;
let alertSeq = 0;

function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
}

/**
 * <of-order-workspace .api .rules .stores .eventsUrl .perPage> (or .actor + workflow="id" instead of .rules)
 * The list, the detail view and the dialogs wired to one REST adapter and one engine workflow:
 * submits changes (optimistic, rolled back on failure, one Idempotency-Key per attempt reused on
 * Retry), handles 409/403/network/refusals, runs bulk updates in chunks with progress, and
 * follows live updates from the server's event stream. Fires `of-session-expired`.
 * `api` is any adapter (types/adapter.d.ts); what it lacks is filled in by withFallbacks().
 */
export class OfOrderWorkspace extends LitElement {
  static properties = {
    api: { attribute: false },
    rules: { attribute: false },
    stores: { attribute: false },
    eventsUrl: { attribute: 'events-url' },
    perPage: { type: Number, attribute: 'per-page' },
    initialFilters: { attribute: false },
    prefetched: { attribute: false }, // optional promise of the first listOrders answer (same filters)
    workflow: {}, // built-in workflow id (attribute) or a document; used when `rules` is not given
    actor: { attribute: false }, // {role, stores} of the signed-in user; used when `rules` is not given
    pollInterval: { type: Number, attribute: 'poll-interval' }, // ms; re-reads the list when the API has no events
    _s: { state: true },
  };

  static styles = [base, css`
    :host { display: block; }
    .alerts { display: grid; gap: 6px; margin-bottom: 10px; }
    [hidden] { display: none !important; }
  `];

  constructor() {
    super();
    this.perPage = 50;
    this.stores = [];
    this._s = this.#initial();
    this._retry = null;
    this._onOnline = () => { if (this._retry) this._retry(); };
    this._loadSeq = 0;
  }

  #initial() {
    return {
      orders: [], total: 0, page: 1, filters: {}, loading: false, selected: new Set(), busyIds: new Set(),
      alerts: [], confirm: null, detail: null, bulk: null,
    };
  }

  #set(patch) { this._s = { ...this._s, ...patch }; }

  connectedCallback() {
    super.connectedCallback();
    window.addEventListener('online', this._onOnline);
    this.#subscribe();
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    window.removeEventListener('online', this._onOnline);
    this._es?.close();
    this._es = null;
    this._unsub?.();
    this._unsub = null;
  }

  willUpdate(changed) {
    if ((changed.has('api') || changed.has('pollInterval')) && this.api) {
      this.api = withFallbacks(this.api.raw ?? this.api, { pollInterval: this.pollInterval || 0 });
      if (this.isConnected) this.#subscribe();
    }
    if ((changed.has('workflow') || changed.has('actor') || changed.has('api')) && this.api && (this.actor || this.workflow) && (!this.rules || this._ownRules)) {
      const seq = (this._rulesSeq = (this._rulesSeq ?? 0) + 1);
      rulesFor({ adapter: this.api, workflow: this.workflow, actor: this.actor }).then((rules) => {
        if (seq === this._rulesSeq) { this._ownRules = true; this.rules = rules; }
      }, (err) => this.alert('error', err.message, { key: 'rules' }));
    }
    if (changed.has('api') || changed.has('rules')) {
      if (this.api && this.rules && (changed.get('api') !== undefined || changed.get('rules') !== undefined || !this._loadedOnce)) {
        this._loadedOnce = true;
        const keep = this._s;
        this._s = { ...this.#initial(), alerts: keep.alerts, filters: { ...(this.initialFilters ?? {}) } };
        this.load();
      }
    }
    if (changed.has('eventsUrl') && this.isConnected) this.#subscribe();
  }

  // ---------- alerts ----------
  alert(kind, message, { detail, actions, key } = {}) {
    const a = { id: ++alertSeq, kind, message, detail, actions, key };
    const rest = this._s.alerts.filter((x) => !key || x.key !== key);
    this.#set({ alerts: [...rest, a].slice(-3) });
    return a.id;
  }

  #dropAlert(id) { this.#set({ alerts: this._s.alerts.filter((a) => a.id !== id) }); }

  #problem(err, { onRetry, onRefresh } = {}) {
    switch (err.kind) {
      case 'network':
        return { kind: 'error', message: 'Network failure: the change was not confirmed by the server. Nothing you typed is lost; it will be retried when the connection returns.',
          actions: onRetry ? [{ id: 'retry', label: 'Retry', primary: true }] : [] };
      case 'conflict': {
        const by = err.changedBy ? ` by ${err.changedBy}` : '';
        const at = err.changedAt ? ` at ${when(err.changedAt)}` : '';
        return { kind: 'warning', message: `${err.message || 'This order was changed by someone else.'}`,
          detail: `It was changed${by}${at}${err.order ? ` and is now ${this.rules.status(err.order.status).label}` : ''}. Refresh to see the current version before changing it.`,
          actions: onRefresh ? [{ id: 'refresh', label: 'Refresh', primary: true }] : [] };
      }
      case 'forbidden':
        return { kind: 'error', message: `You may not do this. ${err.message}`, detail: (err.errors ?? []).slice(1).map((e) => e.message) };
      case 'refused':
      case 'invalid_status':
      case 'bad_request':
      case 'not_found':
        return { kind: 'error', message: err.message, detail: (err.errors ?? []).slice(1).map((e) => e.message) };
      case 'unauthorized':
      case 'csrf':
        this.dispatchEvent(new CustomEvent('of-session-expired', { bubbles: true, composed: true }));
        return { kind: 'error', message: `Your session has ended; sign in again. (${err.message})` };
      case 'rate_limited':
        return { kind: 'error', message: `Too many requests${err.retryAfter ? `; wait ${err.retryAfter} s` : ''} and retry.`,
          actions: onRetry ? [{ id: 'retry', label: 'Retry' }] : [] };
      default:
        return { kind: 'error', message: `The server failed: ${err.message}`,
          actions: onRetry ? [{ id: 'retry', label: 'Retry' }] : [] };
    }
  }

  // ---------- list ----------
  async load() {
    const seq = ++this._loadSeq;
    const s = this._s;
    this.#set({ loading: true });
    try {
      const query = { ...s.filters, page: s.page, per_page: this.perPage };
      const pre = this.prefetched;
      this.prefetched = null;
      const r = await (pre && (pre.api === this.api || pre.api === this.api.raw) && JSON.stringify(pre.query) === JSON.stringify(query)
        ? pre.promise : this.api.listOrders(query));
      if (seq !== this._loadSeq) return;
      const ids = new Set(r.orders.map((o) => o.id));
      const selected = new Set([...this._s.selected].filter((id) => ids.has(id)));
      this.#set({ orders: r.orders, total: r.total, loading: false, selected });
      this.dispatchEvent(new CustomEvent('of-loaded', { detail: { count: r.orders.length, total: r.total }, bubbles: true, composed: true }));
    } catch (err) {
      if (seq !== this._loadSeq) return;
      this.#set({ loading: false });
      const p = this.#problem(err, { onRetry: true });
      this._retry = () => { this._retry = null; this.load(); };
      this.alert('error', `Could not load orders. ${p.message}`, { actions: [{ id: 'retry-load', label: 'Retry' }], key: 'load' });
    }
  }

  #replace(...changed) {
    const byId = new Map(changed.map((o) => [o.id, o]));
    let next = null;
    this._s.orders.forEach((o, i) => {
      const c = byId.get(o.id);
      if (c) { next ??= this._s.orders.slice(); next[i] = c; }
    });
    if (next) this.#set({ orders: next });
    const d = this._s.detail;
    const mine = d?.order && byId.get(d.order.id);
    if (mine && !d.editing) this.#set({ detail: { ...d, order: mine } });
  }

  #busy(id, on) {
    const b = new Set(this._s.busyIds);
    if (on) b.add(id); else b.delete(id);
    this.#set({ busyIds: b });
  }

  // ---------- single change ----------
  #onStatusSelect(e) {
    const { orderId, to, direct } = e.detail;
    const order = this._s.orders.find((o) => o.id === orderId) ?? (this._s.detail?.order?.id === orderId ? this._s.detail.order : null);
    if (!order || this._s.busyIds.has(orderId)) return;
    const option = this.rules.allowed(order).find((o) => o.id === to);
    if (!option) return;
    if (direct && !option.confirm && !(option.requires ?? []).length) {
      this.submit(order, to, {}, 'direct');
      return;
    }
    this.#set({ confirm: { order: { ...order }, option, busy: false, problem: null } });
  }

  /**
   * Sends one status change. `origin` is where its problems are shown: 'confirm' (the dialog),
   * 'detail' (the form) or 'direct' (a page alert). The Idempotency-Key is kept for identical
   * retries of the same attempt, so a retry after a lost answer is not applied twice.
   */
  async submit(order, to, values, origin) {
    if (this._s.busyIds.has(order.id)) return; // no double submission
    const { notes, fields } = splitValues(values);
    const sig = JSON.stringify([order.id, order.lock_version, to, notes, fields]);
    if (this._attempt?.sig !== sig) this._attempt = { sig, key: newIdempotencyKey() };
    const key = this._attempt.key;
    const original = this._s.orders.find((o) => o.id === order.id) ?? order;
    this.#busy(order.id, true);
    this.#setOrigin(origin, { busy: true, problem: null });
    // optimistic: the row shows the new status while the request runs
    this.#replace({ ...original, status: to });
    try {
      const r = await this.api.updateStatus(order.id, { status: to, notes, fields, lock_version: order.lock_version }, { idempotencyKey: key });
      this._attempt = null;
      this._retry = null;
      this.#busy(order.id, false);
      if (!r.order) { this.#reread(order, origin); return; }
      this.#replace(r.order);
      const from = this.rules.status(order.status).label;
      const toS = this.rules.status(r.order.status);
      // the workflow says whether entering this status notifies the customer (the server queues it)
      const detail = toS.notify ? 'The customer is notified of this change.' : undefined;
      this.alert('success', `Order ${order.id} updated: ${from} → ${toS.label}.`, { detail, key: `order-${order.id}` });
      if (origin === 'confirm') this.#set({ confirm: null });
      if (origin === 'detail' || this._s.detail?.order?.id === order.id) {
        this.#set({ detail: { ...this._s.detail, order: r.order, editing: false, busy: false, problem: null } });
        this.#loadHistory(order.id);
      }
    } catch (err) {
      this.#busy(order.id, false);
      this.#replace(original); // roll back
      const retry = () => { this._retry = null; this.submit(order, to, values, origin); };
      const p = this.#problem(err, { onRetry: true, onRefresh: true });
      this._retry = err.kind === 'network' ? retry : null;
      this._manualRetry = retry;
      this._conflict = err.kind === 'conflict' ? { id: order.id, order: err.order, origin } : null;
      if (origin === 'direct') {
        this.alert(p.kind, `Order ${order.id}: ${p.message}`, { detail: p.detail, actions: p.actions?.map((a) => ({ ...a, id: `${a.id}` })), key: `order-${order.id}` });
      } else {
        this.#setOrigin(origin, { busy: false, problem: p });
      }
    }
  }

  // The server said yes but its answer could not be read: say so and show what it now holds;
  // the change is not rolled back (the server may well have made it).
  async #reread(order, origin) {
    if (origin === 'confirm') this.#set({ confirm: null });
    if (origin === 'detail' && this._s.detail) this.#set({ detail: { ...this._s.detail, busy: false, editing: false } });
    let now = '';
    try {
      const fresh = await this.api.reread(order.id);
      this.#replace(fresh);
      if (this._s.detail?.order?.id === order.id) { this.#set({ detail: { ...this._s.detail, order: fresh } }); this.#loadHistory(order.id); }
      now = ` The order was read again: it is now ${this.rules.status(fresh.status).label}.`;
    } catch (err) {
      now = ` Reading the order again failed too (${err.message}); reload the list to see its status.`;
    }
    this.alert('warning', `Order ${order.id}: the server accepted the request, but its answer could not be read.${now}`, { key: `order-${order.id}` });
  }

  #setOrigin(origin, patch) {
    if (origin === 'confirm' && this._s.confirm) this.#set({ confirm: { ...this._s.confirm, ...patch } });
    if (origin === 'detail' && this._s.detail) this.#set({ detail: { ...this._s.detail, ...patch } });
  }

  async #refresh(id, origin) {
    try {
      const fresh = await this.api.getOrder(id);
      this.#replace(fresh);
      if (origin === 'confirm') this.#set({ confirm: null });
      if (this._s.detail?.order?.id === id) {
        this.#set({ detail: { ...this._s.detail, order: fresh, problem: null, editing: false } });
        this.#loadHistory(id);
      }
      this.alert('info', `Order ${id} refreshed: it is now ${this.rules.status(fresh.status).label} (last changed by ${fresh.updated_by ?? 'unknown'}).`, { key: `order-${id}` });
    } catch (err) {
      this.alert('error', `Could not refresh order ${id}. ${this.#problem(err).message}`, { key: `order-${id}` });
    }
  }

  #onProblemAction(e, origin) {
    e.stopPropagation();
    const id = e.detail.id;
    if (id === 'retry') this._manualRetry?.();
    if (id === 'refresh' && this._conflict) this.#refresh(this._conflict.id, origin);
  }

  // ---------- detail ----------
  async open(id) {
    const cached = this._s.orders.find((o) => o.id === id) ?? null;
    this.#set({ detail: { order: cached, history: [], loading: !cached, historyLoading: true, editing: false, busy: false, problem: null } });
    try {
      const order = await this.api.getOrder(id);
      if (this._s.detail) this.#set({ detail: { ...this._s.detail, order, loading: false } });
    } catch (err) {
      this.alert('error', `Could not load order ${id}. ${this.#problem(err).message}`);
      if (this._s.detail) this.#set({ detail: { ...this._s.detail, loading: false } });
    }
    this.#loadHistory(id);
  }

  async #loadHistory(id) {
    try {
      const history = await this.api.history(id);
      if (this._s.detail?.order?.id === id || this._s.detail?.loading) this.#set({ detail: { ...this._s.detail, history, historyLoading: false } });
    } catch (err) {
      if (this._s.detail) this.#set({ detail: { ...this._s.detail, historyLoading: false } });
      this.alert('error', `Could not load the history of order ${id}. ${this.#problem(err).message}`);
    }
  }

  // ---------- bulk ----------
  #openBulk() {
    const orders = this._s.orders.filter((o) => this._s.selected.has(o.id));
    if (!orders.length) return;
    this.#set({ bulk: { open: true, orders, phase: 'form', progress: { done: 0, total: 0 }, results: [], run: null } });
  }

  async runBulk(ids, to, values, previous = []) {
    const { notes, fields } = splitValues(values);
    const bulk = this._s.bulk;
    this.#set({ bulk: { ...bulk, phase: 'running', progress: { done: 0, total: ids.length }, run: { to, values } } });
    const results = new Map(previous.map((r) => [r.id, r]));
    let done = 0;
    // chunks bound a bulk endpoint's requests; one-by-one updates run as one stream instead
    const size = this.api.capabilities?.bulkUpdate === false ? ids.length : CHUNK;
    for (let i = 0; i < ids.length; i += size) {
      const chunk = ids.slice(i, i + size);
      try {
        // one update per order reports after each: shown at most once a frame, not 1,000 renders
        const onProgress = (n) => {
          const first = this._progress === undefined;
          this._progress = done + n;
          if (first) requestAnimationFrame(() => { this.#set({ bulk: { ...this._s.bulk, progress: { done: this._progress, total: ids.length } } }); this._progress = undefined; });
        };
        const r = await this.api.bulkUpdate(chunk, { status: to, notes, fields }, { idempotencyKey: newIdempotencyKey(), onProgress });
        const got = new Set();
        const updated = [];
        for (const x of r.results) {
          got.add(x.id);
          results.set(x.id, x);
          if (x.ok && x.order) updated.push(x.order);
          if (x.ok && !x.order) this._reloadAfterBulk = true; // a success whose answer was unreadable
        }
        this.#replace(...updated);
        for (const id of chunk) if (!got.has(id)) results.set(id, { id, ok: false, message: 'No result returned by the server' });
      } catch (err) {
        const msg = err.kind === 'network' ? 'Network failure: not applied' : this.#problem(err).message;
        for (const id of chunk) results.set(id, { id, ok: false, message: msg, kind: err.kind });
      }
      done += chunk.length;
      this.#set({ bulk: { ...this._s.bulk, progress: { done, total: ids.length } } });
    }
    const order = [...previous.map((r) => r.id).filter((id) => !ids.includes(id)), ...ids];
    const list = order.map((id) => results.get(id));
    const failed = list.filter((r) => !r.ok).length;
    this.#set({ bulk: { ...this._s.bulk, phase: 'done', results: list } });
    if (this._reloadAfterBulk) { this._reloadAfterBulk = false; this.load(); }
    this.alert(failed ? 'warning' : 'success', `Bulk update: ${list.length - failed} updated, ${failed} failed.`, { key: 'bulk' });
  }

  #retryFailed() {
    const b = this._s.bulk;
    if (!b?.run) return;
    const failedIds = b.results.filter((r) => !r.ok).map((r) => r.id);
    this.runBulk(failedIds, b.run.to, b.run.values, b.results);
  }

  #closeBulk() {
    const b = this._s.bulk;
    const sel = new Set(this._s.selected);
    if (b?.phase === 'done') for (const r of b.results) if (r.ok) sel.delete(r.id);
    this.#set({ bulk: null, selected: sel });
  }

  // ---------- live updates ----------
  #subscribe() {
    this._es?.close();
    this._es = null;
    this._unsub?.();
    this._unsub = null;
    if (!this.eventsUrl && this.api?.subscribe) { this._unsub = this.api.subscribe((d) => this.#onRemoteChange(d)); return; }
    if (!this.eventsUrl || typeof EventSource === 'undefined') return;
    const es = new EventSource(this.eventsUrl, { withCredentials: true });
    es.addEventListener('order', (ev) => {
      let d;
      try { d = JSON.parse(ev.data); } catch { return; }
      this.#onRemoteChange(d);
    });
    this._es = es;
  }

  #onRemoteChange(d) {
    if (!this.api || (d.workflow && d.workflow !== this.api.workflowId)) return;
    (this._incoming ??= new Map()).set(d.id, d);
    this._flush ??= setTimeout(() => {
      const batch = this._incoming;
      this._incoming = null;
      this._flush = null;
      for (const e of batch.values()) this.#remoteDetail(e);
      const rows = [];
      for (const o of this._s.orders) {
        const e = batch.get(o.id);
        // versions compared when both have one; a polled order without versions when its status moved
        const newer = e && (e.lock_version != null && o.lock_version != null ? e.lock_version > o.lock_version : e.status !== o.status);
        if (newer && !this._s.busyIds.has(o.id)) {
          rows.push(e.order ?? { ...o, status: e.status, lock_version: e.lock_version, updated_by: e.updated_by ?? o.updated_by });
        }
      }
      if (rows.length) this.#replace(...rows);
    }, 30);
  }

  #remoteDetail(d) {
    const det = this._s.detail;
    if (det?.order?.id === d.id && !det.editing && !det.busy && (d.lock_version ?? 0) > (det.order.lock_version ?? 0)) {
      this.api.getOrder(d.id).then((o) => {
        if (this._s.detail?.order?.id === d.id && !this._s.detail.editing) { this.#set({ detail: { ...this._s.detail, order: o } }); this.#loadHistory(d.id); }
      }).catch(() => {});
    }
  }

  // ---------- render ----------
  #onSelect(e) {
    const sel = new Set(this._s.selected);
    for (const id of e.detail.ids) if (e.detail.selected) sel.add(id); else sel.delete(id);
    this.#set({ selected: sel });
  }

  render() {
    const s = this._s;
    // before the rules exist, a set-up problem (no actor, no workflow) is still shown
    if (!this.rules || !this.api) return html`<div class="alerts">${s.alerts.map((a) => html`<of-alert .kind=${a.kind} .message=${a.message}></of-alert>`)}</div><p role="status">Loading…</p>`;
    const d = s.detail;
    return html`
      <div class="alerts">
        ${s.alerts.map((a) => html`<of-alert .kind=${a.kind} .message=${a.message} .detail=${a.detail} .actions=${a.actions ?? []} dismissible
          @of-dismiss=${() => this.#dropAlert(a.id)}
          @of-alert-action=${(e) => {
            if (e.detail.id === 'retry-load') { this.#dropAlert(a.id); this.load(); }
            else if (e.detail.id === 'retry') { this.#dropAlert(a.id); this._manualRetry?.(); }
            else if (e.detail.id === 'refresh' && this._conflict) { this.#dropAlert(a.id); this.#refresh(this._conflict.id, 'direct'); }
          }}></of-alert>`)}
      </div>
      <of-order-list ?hidden=${!!d} .rules=${this.rules} .orders=${s.orders} .total=${s.total} .page=${s.page} .perPage=${this.perPage}
        ?loading=${s.loading} .selected=${s.selected} .busyIds=${s.busyIds} .stores=${this.stores} .filters=${s.filters}
        @of-status-select=${this.#onStatusSelect}
        @of-open=${(e) => this.open(e.detail.orderId)}
        @of-select=${this.#onSelect}
        @of-page=${(e) => { this.perPage = e.detail.perPage; this.#set({ page: e.detail.page }); this.load(); }}
        @of-filter=${(e) => { this.#set({ filters: e.detail, page: 1 }); this.load(); }}
        @of-bulk-action=${this.#openBulk}></of-order-list>
      ${d ? html`<of-order-detail .order=${d.order} .rules=${this.rules} .stores=${this.stores} .history=${d.history} ?loading=${d.loading}
          ?historyLoading=${d.historyLoading} ?busy=${d.busy} .problem=${d.problem} .editing=${d.editing}
          @of-edit=${(e) => this.#set({ detail: { ...this._s.detail, editing: e.detail.editing, problem: null } })}
          @of-save=${(e) => this.submit(d.order, e.detail.to, e.detail.values, 'detail')}
          @of-alert-action=${(e) => this.#onProblemAction(e, 'detail')}
          @of-close=${() => { this.#set({ detail: null }); }}></of-order-detail>` : nothing}
      <of-confirm-dialog .open=${!!s.confirm} .order=${s.confirm?.order} .option=${s.confirm?.option} .rules=${this.rules}
        ?busy=${!!s.confirm?.busy} .problem=${s.confirm?.problem ?? null}
        @of-confirm=${(e) => this.submit(s.confirm.order, e.detail.to, e.detail.values, 'confirm')}
        @of-alert-action=${(e) => this.#onProblemAction(e, 'confirm')}
        @of-dismiss=${() => this.#set({ confirm: null })}></of-confirm-dialog>
      <of-bulk-dialog .open=${!!s.bulk?.open} .orders=${s.bulk?.orders ?? []} .rules=${this.rules} .phase=${s.bulk?.phase ?? 'form'}
        .progress=${s.bulk?.progress} .results=${s.bulk?.results ?? []}
        @of-bulk-run=${(e) => this.runBulk(e.detail.ids, e.detail.to, e.detail.values)}
        @of-bulk-retry=${this.#retryFailed}
        @of-dismiss=${this.#closeBulk}></of-bulk-dialog>`;
  }
}
customElements.define('of-order-workspace', OfOrderWorkspace);
