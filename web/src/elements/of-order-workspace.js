import { LitElement, html, css, nothing } from 'lit';
import { base } from './shared-styles.js';
import { newIdempotencyKey } from '../api/http.js';
import { splitValues } from '../rules.js';
import { Strings } from '../i18n/index.js';
import { openerOf, retryable } from './workspace-support.js';
import './of-order-list.js';
import './of-order-detail.js';
import './of-confirm-dialog.js';
import './of-bulk-dialog.js';
import './of-alert.js';

const CHUNK = 100;
let alertSeq = 0;

/**
 * <of-order-workspace .api .rules .stores .eventsUrl .perPage>
 * The list, the detail view and the dialogs wired to one REST adapter and one engine workflow:
 * submits changes (optimistic, rolled back on failure, one Idempotency-Key per attempt reused on
 * Retry), handles 409/403/network/refusals, runs bulk updates in chunks with progress, and
 * follows live updates from the server's event stream. Fires `of-session-expired`.
 */
export class OfOrderWorkspace extends LitElement {
  static properties = {
    api: { attribute: false },
    rules: { attribute: false },
    stores: { attribute: false },
    eventsUrl: { attribute: 'events-url' },
    perPage: { type: Number, attribute: 'per-page' },
    controls: {}, // row controls: 'auto' | 'dropdown' | 'buttons' (see of-order-list)
    initialFilters: { attribute: false },
    prefetched: { attribute: false }, // optional promise of the first listOrders answer (same filters)
    _s: { state: true },
  };

  static styles = [base, css`
    :host { display: block; }
    /* one message at a time, over the page's corner: the list never moves when it changes */
    .alerts { position: fixed; z-index: 20; inset-block-end: var(--of-space, 8px); inset-inline-end: var(--of-space, 8px);
      inline-size: min(480px, calc(100vw - 2 * var(--of-space, 8px))); box-shadow: 0 8px 24px rgba(0,0,0,.18); border-radius: calc(var(--of-radius, 6px) + 2px); }
    .alerts:empty { display: none; }
    [hidden] { display: none !important; }
  `];

  constructor() {
    super();
    this.perPage = 50;
    this.stores = [];
    this.controls = 'auto';
    this.i18n = new Strings(this);
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
  }

  willUpdate(changed) {
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
  // One message at a time: a new one replaces the last (one live region, nothing stacks).
  alert(kind, message, { detail, actions, key } = {}) {
    const a = { id: ++alertSeq, kind, message, detail, actions, key };
    this.#set({ alerts: [a] });
    return a.id;
  }

  #dropAlert(id) { this.#set({ alerts: this._s.alerts.filter((a) => a.id !== id) }); }

  #problem(err, { onRetry, onRefresh } = {}) {
    const t = (k, p) => this.i18n.t(k, p);
    switch (err.kind) {
      case 'network':
        return { kind: 'error', message: t('networkFailure'),
          actions: onRetry ? [{ id: 'retry', label: t('retry'), primary: true }] : [] };
      case 'conflict': {
        // the server's own text names lock versions and ISO times: staff read who, when and what now
        const o = err.order;
        const who = o?.updated_by_name ?? err.changedBy ?? o?.updated_by ?? '';
        return { kind: 'warning', message: t('changedByOther'),
          detail: t('changedBy', { who, when: this.i18n.date(err.changedAt ?? o?.updated_at), status: o ? this.rules.status(o.status).label : '' }),
          actions: onRefresh ? [{ id: 'refresh', label: t('refresh'), primary: true }] : [] };
      }
      case 'forbidden':
        return { kind: 'error', message: t('forbidden', { message: err.message }), detail: (err.errors ?? []).slice(1).map((e) => e.message) };
      case 'refused':
      case 'invalid_status':
      case 'bad_request':
      case 'not_found':
        return { kind: 'error', message: err.message, detail: (err.errors ?? []).slice(1).map((e) => e.message) };
      case 'unauthorized':
      case 'csrf':
        this.dispatchEvent(new CustomEvent('of-session-expired', { bubbles: true, composed: true }));
        return { kind: 'error', message: t('sessionEnded') };
      case 'rate_limited':
        return { kind: 'error', message: t('tooMany', { wait: err.retryAfter }),
          actions: onRetry ? [{ id: 'retry', label: t('retry') }] : [] };
      default:
        return { kind: 'error', message: t('serverFailed', { message: err.message }),
          actions: onRetry ? [{ id: 'retry', label: t('retry') }] : [] };
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
      const r = await (pre && pre.api === this.api && JSON.stringify(pre.query) === JSON.stringify(query)
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
      this.alert('error', this.i18n.t('couldNotLoad', { message: p.message }), { actions: [{ id: 'retry-load', label: this.i18n.t('retry') }], key: 'load' });
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
    this._opener = openerOf(e, orderId);
    // one click moves on, unless the workflow asks to confirm, a field is required, or the
    // target is a final status (no way back: the user is asked first)
    if (direct && !option.confirm && !(option.requires ?? []).length && !this.rules.status(to).terminal) {
      this.submit(order, to, {}, 'direct');
      return;
    }
    this.#set({ confirm: { order: { ...order }, option, busy: false, problem: null } });
  }

  /** Closes the confirmation; a change it failed to send is abandoned with it (never sent later). */
  #closeConfirm() {
    this.#set({ confirm: null });
    this.#dropRetry('confirm');
    this.#returnFocus();
  }

  #dropRetry(origin) {
    if (this._pending?.origin !== origin) return;
    this._pending = null;
    this._retry = null;
    this._manualRetry = null;
    this._attempt = null;
  }

  /** Focus back on the control that opened the dialog, or its nearest neighbour if that row left. */
  async #returnFocus() {
    const o = this._opener;
    this._opener = null;
    if (!o) return;
    await this.updateComplete;
    const list = this.renderRoot.querySelector('of-order-list');
    await list?.updateComplete;
    if (o.bulk) list?.focusBulk();
    else list?.focusOrderControl(o.orderId, o.ctl, o.index);
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
      this.#replace(r.order);
      const from = this.rules.status(order.status).label;
      const toS = this.rules.status(r.order.status);
      // the workflow says whether entering this status notifies the customer (the server queues it)
      const detail = toS.notify ? this.i18n.t('customerNotified') : undefined;
      this.alert('success', this.i18n.t('updated', { id: order.id, from, to: toS.label }), { detail, key: `order-${order.id}` });
      this._pending = null;
      if (origin === 'confirm' && this._s.confirm?.order?.id === order.id) this.#closeConfirm();
      if (origin === 'direct') this.#returnFocus();
      if (origin === 'detail' || this._s.detail?.order?.id === order.id) {
        this.#set({ detail: { ...this._s.detail, order: r.order, editing: false, busy: false, problem: null } });
        this.#loadHistory(order.id);
      }
    } catch (err) {
      this.#busy(order.id, false);
      // roll back; after a 409 the row shows the order as it now is
      this.#replace(err.kind === 'conflict' && err.order ? err.order : original);
      // a retry belongs to this attempt: closing its dialog or form abandons it (#dropRetry)
      const retry = () => { this._retry = null; this.submit(order, to, values, origin); };
      const p = this.#problem(err, { onRetry: true, onRefresh: true });
      this._pending = { origin, id: order.id };
      this._retry = err.kind === 'network' ? retry : null;
      this._manualRetry = retry;
      this._conflict = err.kind === 'conflict' ? { id: order.id, order: err.order, origin } : null;
      if (origin === 'direct') {
        this.alert(p.kind, this.i18n.t('orderProblem', { id: order.id, message: p.message }), { detail: p.detail, actions: p.actions?.map((a) => ({ ...a, id: `${a.id}` })), key: `order-${order.id}` });
        this.#returnFocus();
      } else if (origin === 'confirm' && err.kind === 'conflict' && err.order && this._s.confirm?.order?.id === order.id) {
        // the dialog now shows the order as it is and what may follow from there
        this.#set({ confirm: { ...this._s.confirm, order: err.order, busy: false, problem: p } });
      } else {
        this.#setOrigin(origin, { busy: false, problem: p });
      }
    }
  }

  #setOrigin(origin, patch) {
    if (origin === 'confirm' && this._s.confirm) this.#set({ confirm: { ...this._s.confirm, ...patch } });
    if (origin === 'detail' && this._s.detail) this.#set({ detail: { ...this._s.detail, ...patch } });
  }

  async #refresh(id, origin) {
    try {
      const fresh = await this.api.getOrder(id);
      this.#replace(fresh);
      const who = fresh.updated_by_name ?? fresh.updated_by ?? '';
      if (origin === 'confirm' && this._s.confirm?.order?.id === id) {
        // re-read in place: the dialog stays, showing the current status and what may follow
        this.#dropRetry('confirm');
        this.#set({ confirm: { ...this._s.confirm, order: fresh, problem: null } });
        return;
      }
      if (this._s.detail?.order?.id === id) {
        this.#set({ detail: { ...this._s.detail, order: fresh, problem: null, editing: false } });
        this.#loadHistory(id);
      }
      this.alert('info', this.i18n.t('refreshed', { id, status: this.rules.status(fresh.status).label, who }), { key: `order-${id}` });
    } catch (err) {
      this.alert('error', this.i18n.t('couldNotRefresh', { id, message: this.#problem(err).message }), { key: `order-${id}` });
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
      this.alert('error', this.i18n.t('couldNotLoadOrder', { id, message: this.#problem(err).message }));
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
      this.alert('error', this.i18n.t('couldNotLoadHistory', { id, message: this.#problem(err).message }));
    }
  }

  // ---------- bulk ----------
  #openBulk() {
    const orders = this._s.orders.filter((o) => this._s.selected.has(o.id));
    if (!orders.length) return;
    this._opener = { bulk: true };
    this.#set({ bulk: { open: true, orders, phase: 'form', progress: { done: 0, total: 0 }, results: [], run: null } });
  }

  /** `skipped`: the engine's blocked orders of the plan ({id, errors}), listed and counted, never sent. */
  async runBulk(ids, to, values, previous = [], skipped = []) {
    const { notes, fields } = splitValues(values);
    const bulk = this._s.bulk;
    this.#set({ bulk: { ...bulk, phase: 'running', progress: { done: 0, total: ids.length }, run: { to, values } } });
    const results = new Map(previous.map((r) => [r.id, r]));
    for (const b of skipped) results.set(b.id, { id: b.id, ok: false, skipped: true, message: b.errors.map((x) => x.message).join(' '), errors: b.errors });
    let done = 0;
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      try {
        const r = await this.api.bulkUpdate(chunk, { status: to, notes, fields }, { idempotencyKey: newIdempotencyKey() });
        const got = new Set();
        const updated = [];
        for (const x of r.results) {
          got.add(x.id);
          results.set(x.id, x);
          if (x.ok && x.order) updated.push(x.order);
        }
        this.#replace(...updated);
        for (const id of chunk) if (!got.has(id)) results.set(id, { id, ok: false, message: this.i18n.t('noResult') });
      } catch (err) {
        const msg = err.kind === 'network' ? this.i18n.t('notApplied') : this.#problem(err).message;
        for (const id of chunk) results.set(id, { id, ok: false, message: msg, kind: err.kind });
      }
      done += chunk.length;
      this.#set({ bulk: { ...this._s.bulk, progress: { done, total: ids.length } } });
    }
    const sent = new Set([...ids, ...skipped.map((b) => b.id)]);
    const order = [...previous.map((r) => r.id).filter((id) => !sent.has(id)), ...skipped.map((b) => b.id), ...ids];
    const list = order.map((id) => results.get(id)).map((r) => (r.ok ? r : { ...r, retryable: retryable(r) }));
    const skippedN = list.filter((r) => r.skipped).length;
    const failed = list.filter((r) => !r.ok && !r.skipped).length;
    this.#set({ bulk: { ...this._s.bulk, phase: 'done', results: list } });
    this.alert(failed || skippedN ? 'warning' : 'success', this.i18n.t('bulkAlert', { ok: list.length - failed - skippedN, failed, skipped: skippedN }), { key: 'bulk' });
  }

  #retryFailed() {
    const b = this._s.bulk;
    if (!b?.run) return;
    const failedIds = b.results.filter((r) => !r.ok && r.retryable).map((r) => r.id);
    if (!failedIds.length) return;
    this.runBulk(failedIds, b.run.to, b.run.values, b.results);
  }

  #closeBulk() {
    const b = this._s.bulk;
    const sel = new Set(this._s.selected);
    if (b?.phase === 'done') for (const r of b.results) if (r.ok) sel.delete(r.id);
    this.#set({ bulk: null, selected: sel });
    this.#returnFocus();
  }

  // ---------- live updates ----------
  #subscribe() {
    this._es?.close();
    this._es = null;
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
        if (e && !this._s.busyIds.has(o.id) && (e.lock_version ?? 0) > (o.lock_version ?? 0)) {
          rows.push({ ...o, status: e.status, lock_version: e.lock_version, updated_by: e.updated_by ?? o.updated_by,
            updated_by_name: e.updated_by_name ?? (e.updated_by ? undefined : o.updated_by_name), updated_at: e.updated_at ?? o.updated_at });
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
    if (!this.rules || !this.api) return html`<p role="status">${this.i18n.t('loading')}</p>`;
    const d = s.detail;
    return html`
      <div class="alerts" part="messages">${s.alerts.map((a) => html`<of-alert .kind=${a.kind} .message=${a.message} .detail=${a.detail} .actions=${a.actions ?? []} dismissible
          @of-dismiss=${() => { this.#dropAlert(a.id); if (a.key?.startsWith('order-')) this.#dropRetry('direct'); }}
          @of-alert-action=${(e) => {
            if (e.detail.id === 'retry-load') { this.#dropAlert(a.id); this.load(); }
            else if (e.detail.id === 'retry') { this.#dropAlert(a.id); this._manualRetry?.(); }
            else if (e.detail.id === 'refresh' && this._conflict) { this.#dropAlert(a.id); this.#refresh(this._conflict.id, 'direct'); }
          }}></of-alert>`)}</div>
      <of-order-list exportparts="toolbar, bulk-button, count, view-only, table-wrap, table, header-row, row, pager" ?hidden=${!!d} .controls=${this.controls} .rules=${this.rules} .orders=${s.orders} .total=${s.total} .page=${s.page} .perPage=${this.perPage}
        ?loading=${s.loading} .selected=${s.selected} .busyIds=${s.busyIds} .stores=${this.stores} .filters=${s.filters}
        @of-status-select=${this.#onStatusSelect}
        @of-open=${(e) => { this._detailOpener = openerOf(e, e.detail.orderId); this.open(e.detail.orderId); }}
        @of-select=${this.#onSelect}
        @of-page=${(e) => { this.perPage = e.detail.perPage; this.#set({ page: e.detail.page }); this.load(); }}
        @of-filter=${(e) => { this.#set({ filters: e.detail, page: 1 }); this.load(); }}
        @of-bulk-action=${this.#openBulk}></of-order-list>
      ${d ? html`<of-order-detail exportparts="detail" .order=${d.order} .rules=${this.rules} .stores=${this.stores} .history=${d.history} ?loading=${d.loading}
          ?historyLoading=${d.historyLoading} ?busy=${d.busy} .problem=${d.problem} .editing=${d.editing}
          @of-edit=${(e) => { if (!e.detail.editing) this.#dropRetry('detail'); this.#set({ detail: { ...this._s.detail, editing: e.detail.editing, problem: null } }); }}
          @of-save=${(e) => this.submit(d.order, e.detail.to, e.detail.values, 'detail')}
          @of-alert-action=${(e) => this.#onProblemAction(e, 'detail')}
          @of-close=${() => { this.#dropRetry('detail'); this.#set({ detail: null }); this._opener = this._detailOpener; this.#returnFocus(); }}></of-order-detail>` : nothing}
      <of-confirm-dialog exportparts="dialog, dialog-actions, primary-button" .open=${!!s.confirm} .order=${s.confirm?.order} .option=${s.confirm?.option} .rules=${this.rules}
        ?busy=${!!s.confirm?.busy} .problem=${s.confirm?.problem ?? null}
        @of-confirm=${(e) => this.submit(s.confirm.order, e.detail.to, e.detail.values, 'confirm')}
        @of-alert-action=${(e) => this.#onProblemAction(e, 'confirm')}
        @of-dismiss=${this.#closeConfirm}></of-confirm-dialog>
      <of-bulk-dialog exportparts="dialog, primary-button" .open=${!!s.bulk?.open} .orders=${s.bulk?.orders ?? []} .rules=${this.rules} .phase=${s.bulk?.phase ?? 'form'}
        .progress=${s.bulk?.progress} .results=${s.bulk?.results ?? []}
        @of-bulk-run=${(e) => this.runBulk(e.detail.ids, e.detail.to, e.detail.values, [], e.detail.skipped ?? [])}
        @of-bulk-retry=${this.#retryFailed}
        @of-dismiss=${this.#closeBulk}></of-bulk-dialog>`;
  }
}
customElements.define('of-order-workspace', OfOrderWorkspace);
