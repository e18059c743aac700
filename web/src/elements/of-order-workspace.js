import { LitElement, html, css, nothing } from 'lit';
import { base } from './shared-styles.js';
import { Strings } from '../i18n/index.js';
import { withFallbacks } from '../api/fallbacks.js';
import { rulesFor } from '../workflow-source.js';
import { openerOf } from './workspace/support.js';
import { describeProblem } from './workspace/problems.js';
import { initialState } from './workspace/state.js';
import { OrdersController } from './workspace/orders-controller.js';
import { LiveController } from './workspace/live-controller.js';
import './of-order-list.js';
import './of-confirm-dialog.js';
import './of-alert.js';

let alertSeq = 0;

// Not needed to show the list, so loaded on first use: the detail view (with the timeline and
// the diagram) when an order is opened, the bulk dialog when Bulk Actions is chosen, each with
// the controller that drives it (elements/lazy/), and the change controller when a status is
// first picked or submitted (this.details, this.bulk, this.changes: null until then). The
// self-contained bundle keeps them in chunks next to itself.
const later = {
  detail: () => import('./lazy/detail.js').then((m) => m.DetailController),
  bulk: () => import('./lazy/bulk.js').then((m) => m.BulkController),
  change: () => import('./workspace/change-controller.js').then((m) => m.ChangeController),
};
const controllerOf = { detail: 'details', bulk: 'bulk', change: 'changes' };
const loading = {};
const need = (what) =>
  (loading[what] ??= later[what]().catch((err) => {
    loading[what] = null;
    throw err;
  }));

/**
 * <of-order-workspace .api .rules .stores .eventsUrl .perPage> (or .actor + workflow="id" instead of .rules)
 * The list, the detail view and the dialogs wired to one adapter and one engine workflow.
 * `api` is any adapter (types/adapter.d.ts); what it lacks is filled in by withFallbacks().
 * The work is done by reactive controllers (./workspace/): `orders` (loading, rows, selection),
 * `changes` (one change: optimistic, rolled back, Idempotency-Key per attempt, 409, abandoned
 * retries, focus return), `details` (detail view, history), `bulk` (chunks, progress, results,
 * retry of what could succeed), `live` (the server's event stream, the adapter's `subscribe` or polling). The state they share is
 * `this.state`; this element renders it and keeps one message at a time.
 * Fires `of-loaded`, `of-session-expired`.
 * @csspart toolbar - Filters and Bulk Actions
 * @csspart bulk-button - The Bulk Actions button
 * @csspart count - The number of orders and of selected orders
 * @csspart view-only - The note for a read-only role
 * @csspart table-wrap - The scroll area around the table
 * @csspart table - The table
 * @csspart header-row - The table's header row
 * @csspart row - One order's row
 * @csspart pager - Paging controls
 * @csspart detail - The order detail view (of-order-detail)
 * @csspart dialog - The confirmation and bulk dialogs
 * @csspart dialog-actions - The confirmation dialog's buttons
 * @csspart primary-button - The dialogs' Confirm buttons
 * @csspart messages - The one message shown at a time, in a corner
 * @fires of-loaded - {count, total}: a page of orders was loaded
 * @fires of-session-expired - The API answered 401 or a CSRF failure: sign in again
 * @cssprop [--of-font-family=inherit] - Text font (the page's unless set)
 * @cssprop [--of-font-size=inherit] - Text size
 * @cssprop [--of-color-text=#1f2937] - Text colour
 * @cssprop [--of-color-muted=#4b5563] - Hints and secondary text
 * @cssprop [--of-color-primary=#1d4ed8] - Primary buttons
 * @cssprop [--of-color-on-primary=#fff] - Text on primary buttons
 * @cssprop [--of-color-link=#1d4ed8] - Links
 * @cssprop [--of-color-focus=#f59e0b] - Focus ring
 * @cssprop [--of-color-danger=#b91c1c] - Errors
 * @cssprop [--of-color-warning-text=#92400e] - Warnings, unpaid orders
 * @cssprop [--of-color-surface=#fff] - Backgrounds
 * @cssprop [--of-color-surface-alt=#f9fafb] - Striped rows, secondary backgrounds
 * @cssprop [--of-color-header=#f3f4f6] - Table header
 * @cssprop [--of-color-selected=#eff6ff] - Selected row
 * @cssprop [--of-color-border=#d1d5db] - Borders
 * @cssprop [--of-color-border-strong=#9ca3af] - Strong borders (inputs)
 * @cssprop [--of-color-border-soft=#eef0f3] - Row separators
 * @cssprop [--of-radius=6px] - Corners
 * @cssprop [--of-badge-radius=999px] - Status badge corners
 * @cssprop [--of-space=8px] - Spacing unit
 * @cssprop [--of-list-height=62vh] - The order list's scroll area
 */
export class OfOrderWorkspace extends LitElement {
  static properties = {
    api: { attribute: false },
    rules: { attribute: false },
    stores: { attribute: false },
    eventsUrl: { attribute: 'events-url' },
    perPage: { type: Number, attribute: 'per-page' },
    controls: {}, // row controls: 'auto' | 'dropdown' | 'buttons' (see of-order-list)
    /** The list's optional columns, e.g. "customer total" (see of-order-list); without it, those the API's orders have data for. */
    columns: {},
    initialFilters: { attribute: false },
    prefetched: { attribute: false }, // optional promise of the first listOrders answer (same filters)
    workflow: {}, // built-in workflow id (attribute) or a document; used when `rules` is not given
    actor: { attribute: false }, // {role, stores} of the signed-in user; used when `rules` is not given
    pollInterval: { type: Number, attribute: 'poll-interval' }, // ms; re-reads the list when the API has no events
    _s: { state: true },
  };

  static styles = [
    base,
    css`
      :host {
        display: block;
      }
      /* one message at a time, over the page's corner: the list never moves when it changes */
      .alerts {
        position: fixed;
        z-index: 20;
        inset-block-end: var(--of-space, 8px);
        inset-inline-end: var(--of-space, 8px);
        inline-size: min(480px, calc(100vw - 2 * var(--of-space, 8px)));
        box-shadow: 0 8px 24px rgba(0, 0, 0, 0.18);
        border-radius: calc(var(--of-radius, 6px) + 2px);
      }
      .alerts:empty {
        display: none;
      }
      [hidden] {
        display: none !important;
      }
    `,
  ];

  constructor() {
    super();
    this.perPage = 50;
    this.stores = [];
    this.controls = 'auto';
    this.i18n = new Strings(this);
    this._s = initialState();
    this.retryOnline = null; // what the `online` event re-sends (a failed load or change), if anything
    this._onOnline = () => {
      if (this.retryOnline) this.retryOnline();
    };
    this.orders = new OrdersController(this);
    this.changes = null; // ChangeController, on the first change (#need)
    this.details = null; // DetailController, with the detail view (#need)
    this.bulk = null; // BulkController, with the bulk dialog (#need)
    this.live = new LiveController(this);
  }

  /** The state the controllers share (replaced, never mutated). */
  get state() {
    return this._s;
  }
  set(patch) {
    this._s = { ...this._s, ...patch };
  }
  fire(name, detail) {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }

  connectedCallback() {
    super.connectedCallback();
    window.addEventListener('online', this._onOnline);
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    window.removeEventListener('online', this._onOnline);
  }

  willUpdate(changed) {
    // `api` is kept wrapped in withFallbacks(). A page re-rendering passes its own adapter again
    // (Lit sets object properties on every render), which is put back to the same wrapper: only
    // a different adapter (or poll interval) re-wraps, re-subscribes and reloads the list.
    let newAdapter = false;
    if ((changed.has('api') || changed.has('pollInterval')) && this.api) {
      const raw = this.api.raw ?? this.api;
      newAdapter = raw !== this._raw;
      if (newAdapter || (this.pollInterval || 0) !== this._poll) {
        this._raw = raw;
        this._poll = this.pollInterval || 0;
        this._wrapped = withFallbacks(raw, { pollInterval: this._poll });
        this.api = this._wrapped;
        if (this.isConnected) this.live.subscribe();
      } else {
        this.api = this._wrapped;
      }
    }
    if (
      (changed.has('workflow') || changed.has('actor') || newAdapter) &&
      this.api &&
      (this.actor || this.workflow) &&
      (!this.rules || this._ownRules)
    ) {
      const seq = (this._rulesSeq = (this._rulesSeq ?? 0) + 1);
      rulesFor({ adapter: this.api, workflow: this.workflow, actor: this.actor }).then(
        (rules) => {
          if (seq === this._rulesSeq) {
            this._ownRules = true;
            this.rules = rules;
          }
        },
        (err) => {
          // a set-up problem of the page (no actor, no workflow) or a workflow that failed to load
          this.alert('error', err.messageKey ? this.i18n.t(err.messageKey) : this.i18n.t('setupFailed', { message: err.message }), {
            key: 'rules',
          });
        },
      );
    }
    const newRules = changed.has('rules') && changed.get('rules') !== undefined;
    if (this.api && this.rules && (!this._loadedOnce || newAdapter || newRules)) {
      this._loadedOnce = true;
      const keep = this._s;
      this._s = { ...initialState(), alerts: keep.alerts, filters: { ...(this.initialFilters ?? {}) } };
      this.load();
    }
    if (changed.has('eventsUrl') && this.isConnected) this.live.subscribe();
  }

  // The element's public methods (kept for pages and the adapters' fallbacks).
  load() {
    return this.orders.load();
  }
  async submit(order, to, values, origin) {
    await this.#need('change');
    return this.changes.submit(order, to, values, origin);
  }
  async open(id, opener) {
    await this.#need('detail');
    return this.details.open(id, opener);
  }
  async runBulk(ids, to, values, previous, skipped) {
    await this.#need('bulk');
    return this.bulk.run(ids, to, values, previous, skipped);
  }

  // One message at a time: a new one replaces the last (one live region, nothing stacks).
  alert(kind, message, { detail, actions, key } = {}) {
    const a = { id: ++alertSeq, kind, message, detail, actions, key };
    this.set({ alerts: [a] });
    return a.id;
  }

  #dropAlert(id) {
    this.set({ alerts: this._s.alerts.filter((a) => a.id !== id) });
  }

  /** Loads a part of the UI on first use; a failed load (the chunk not found) is said on the page. */
  async #need(what) {
    try {
      const Controller = await need(what);
      this[controllerOf[what]] ??= new Controller(this);
    } catch (err) {
      this.alert('error', this.i18n.t('partFailed', { message: err.message }), { key: 'chunk' });
      throw err;
    }
  }

  /** A failed request as staff read it (see workspace/problems.js). */
  problem(err, offer = {}) {
    return describeProblem(err, offer, {
      t: (k, p) => this.i18n.t(k, p),
      date: (x) => this.i18n.date(x),
      rules: this.rules,
      sessionExpired: () => this.fire('of-session-expired', {}),
    });
  }

  /** Focus on a row's control (`{orderId, ctl, index}` from openerOf) or, `{bulk: true}`, Bulk Actions. */
  async focusRow(opener) {
    await this.updateComplete;
    const list = this.renderRoot.querySelector('of-order-list');
    await list?.updateComplete;
    if (opener.bulk) list?.focusBulk();
    else list?.focusOrderControl(opener.orderId, opener.ctl, opener.index);
  }

  #onAlertAction(a, id) {
    this.#dropAlert(a.id);
    if (id === 'retry-load') this.load();
    else this.changes?.action(id, 'direct');
  }

  #alerts() {
    return html`<div class="alerts" part="messages">
      ${this._s.alerts.map(
        (a) =>
          html`<of-alert
            .kind=${a.kind}
            .message=${a.message}
            .detail=${a.detail}
            .actions=${a.actions ?? []}
            dismissible
            @of-dismiss=${() => {
              this.#dropAlert(a.id);
              if (a.key?.startsWith('order-')) this.changes?.dropRetry('direct');
            }}
            @of-alert-action=${(e) => this.#onAlertAction(a, e.detail.id)}
          ></of-alert>`,
      )}
    </div>`;
  }

  render() {
    const s = this._s;
    // before the rules exist, a set-up problem (no actor, no workflow) is still shown
    if (!this.rules || !this.api)
      return html`${this.#alerts()}
        <p role="status">${this.i18n.t('loading')}</p>`;
    const d = s.detail;
    return html` ${this.#alerts()}
      <of-order-list
        exportparts="toolbar, bulk-button, count, view-only, table-wrap, table, header-row, row, pager"
        ?hidden=${!!d}
        .controls=${this.controls}
        .columns=${this.columns}
        .rules=${this.rules}
        .orders=${s.orders}
        .total=${s.total}
        .page=${s.page}
        .perPage=${this.perPage}
        ?loading=${s.loading}
        .selected=${s.selected}
        .busyIds=${s.busyIds}
        .stores=${this.stores}
        .filters=${s.filters}
        @focusin=${() => need('change').catch(() => {})}
        @of-status-select=${(e) => {
          const opener = openerOf(e, e.detail.orderId); // read while the event is dispatched
          this.#need('change').then(
            () => this.changes.select(e.detail, opener),
            () => {},
          );
        }}
        @of-open=${(e) => this.open(e.detail.orderId, openerOf(e, e.detail.orderId)).catch(() => {})}
        @of-select=${(e) => this.orders.select(e.detail)}
        @of-page=${(e) => this.orders.page(e.detail)}
        @of-filter=${(e) => this.orders.filter(e.detail)}
        @of-bulk-action=${() =>
          this.#need('bulk').then(
            () => this.bulk.open(),
            () => {},
          )}
      ></of-order-list>
      ${
        d
          ? html`<of-order-detail
              exportparts="detail"
              .order=${d.order}
              .rules=${this.rules}
              .stores=${this.stores}
              .history=${d.history}
              ?loading=${d.loading}
              ?historyLoading=${d.historyLoading}
              ?busy=${d.busy}
              .problem=${d.problem}
              .editing=${d.editing}
              @of-edit=${(e) => this.details.edit(e.detail.editing)}
              @of-save=${(e) => this.submit(d.order, e.detail.to, e.detail.values, 'detail').catch(() => {})}
              @of-alert-action=${(e) => {
                e.stopPropagation();
                this.changes?.action(e.detail.id, 'detail');
              }}
              @of-close=${() => this.details.close()}
            ></of-order-detail>`
          : nothing
      }
      <of-confirm-dialog
        exportparts="dialog, dialog-actions, primary-button"
        .open=${!!s.confirm}
        .order=${s.confirm?.order}
        .option=${s.confirm?.option}
        .rules=${this.rules}
        ?busy=${!!s.confirm?.busy}
        .problem=${s.confirm?.problem ?? null}
        @of-confirm=${(e) => this.submit(s.confirm.order, e.detail.to, e.detail.values, 'confirm').catch(() => {})}
        @of-alert-action=${(e) => {
          e.stopPropagation();
          this.changes?.action(e.detail.id, 'confirm');
        }}
        @of-dismiss=${() => this.changes?.closeConfirm()}
      ></of-confirm-dialog>
      <of-bulk-dialog
        exportparts="dialog, primary-button"
        .open=${!!s.bulk?.open}
        .orders=${s.bulk?.orders ?? []}
        .rules=${this.rules}
        .phase=${s.bulk?.phase ?? 'form'}
        .progress=${s.bulk?.progress}
        .results=${s.bulk?.results ?? []}
        @of-bulk-run=${(e) => this.bulk.run(e.detail.ids, e.detail.to, e.detail.values, [], e.detail.skipped ?? [])}
        @of-bulk-retry=${() => this.bulk.retryFailed()}
        @of-dismiss=${() => this.bulk.close()}
      ></of-bulk-dialog>`;
  }
}
customElements.define('of-order-workspace', OfOrderWorkspace);
