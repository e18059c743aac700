import { LitElement, html, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { base } from './shared-styles.js';
import { orderListStyles, ROW_H } from './of-order-list.styles.js';
import { Strings } from '../i18n/index.js';
import { RowFocus } from './row-focus.js';
import { hiddenColumns } from './list-columns.js';
import './of-status-badge.js';
import './of-status-dropdown.js';

const WINDOW_ALL = 200; // up to this many rows everything is in the DOM; beyond, only the rows in view
const HEAD_H = 41; // the sticky header row inside the scroller, before the first order row

/**
 * <of-order-list .rules .orders .total .page .perPage .loading .selected .stores .filters .busyIds controls>
 * Paged, filterable list: checkbox, status badge, and either a status dropdown or one button per
 * next status (only what the engine allows this actor). Rows are keyed by order id, so a control
 * always belongs to the order it was rendered for, and the focused control keeps its order across
 * refreshes. Large pages are virtualized by TanStack Virtual (a maintained, headless virtualizer
 * that keeps the real <table>: @lit-labs/virtualizer positions rows absolutely, which table layout
 * does not allow, lit/lit#4764): only the rows in view are in the DOM, spacer rows keep the
 * scroll height. The virtualizer is loaded (./virtual.js) when the first long list arrives; until it
 * is there the list shows its first screen. Every row stays reachable by keyboard: Tab scrolls the next row into view, and on
 * a row's checkbox, link or buttons ArrowDown/ArrowUp go to the same control of the next/previous
 * order, Ctrl+Home/Ctrl+End to the first/last.
 * `controls`: 'dropdown', 'buttons' or 'auto' (buttons when no status offers more than two next
 * statuses, so they fit in a row; else the dropdown). A read-only role gets neither, and a note.
 * `columns`: which optional columns to show, ids among customer, store, date, payment, total,
 * updated-by (attribute: separated by spaces; property: a string or an array), in that fixed order;
 * without it, each of them that some order of the loaded list has data for (an API without stores,
 * dates or payments gets no empty columns; see list-columns.js). A column left out is not
 * displayed (a class on the table; its cells stay in the rows, so no other cell, nor the focused
 * control, is re-created when it comes or goes). The store filter is shown only when `stores` are given.
 * Fires: of-status-select {orderId, to, direct?}, of-open {orderId}, of-select {ids, selected},
 * of-page {page, perPage}, of-filter {status, store_id}, of-bulk-action {action}.
 * @csspart toolbar - Filters and Bulk Actions
 * @csspart bulk-button - The Bulk Actions button
 * @csspart count - The number of orders and of selected orders
 * @csspart view-only - The note for a read-only role
 * @csspart table-wrap - The scroll area around the table
 * @csspart table - The table
 * @csspart header-row - The table's header row
 * @csspart row - One order's row
 * @csspart pager - Paging controls
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
export class OfOrderList extends LitElement {
  static properties = {
    rules: { attribute: false },
    orders: { attribute: false },
    total: { type: Number },
    page: { type: Number },
    perPage: { type: Number },
    loading: { type: Boolean },
    selected: { attribute: false },
    busyIds: { attribute: false },
    stores: { attribute: false },
    filters: { attribute: false },
    controls: {},
    /** The optional columns to show (customer store date payment total updated-by, separated by spaces; or an array); without it, those some loaded order has data for. */
    columns: {},
    _menu: { state: true },
  };

  static styles = [base, orderListStyles];

  constructor() {
    super();
    this.orders = [];
    this.total = 0;
    this.page = 1;
    this.perPage = 50;
    this.loading = false;
    this.selected = new Set();
    this.busyIds = new Set();
    this.stores = [];
    this.filters = {};
    this.controls = 'auto';
    this.columns = null;
    this._menu = false;
    this.i18n = new Strings(this);
    this.rowFocus = new RowFocus(this);
    this.virtual = null; // TanStack's controller, once a list longer than WINDOW_ALL asked for it
  }

  /** Loads and attaches the virtualizer (once); resolves when it is there. */
  #needVirtual() {
    this._virtualLoading ??= import('./virtual.js').then(({ VirtualizerController }) => {
      this.virtual = new VirtualizerController(this, {
        count: this.orders.length,
        getScrollElement: () => this.renderRoot?.querySelector('.scroller') ?? null,
        estimateSize: () => ROW_H,
        scrollMargin: HEAD_H,
        overscan: 10,
        enabled: this.orders.length > WINDOW_ALL,
      });
      this.requestUpdate();
    });
    return this._virtualLoading;
  }

  #fire(name, detail) {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }

  /** Scrolls the row of `id` into view; resolves to its <tr> once rendered (null if not listed). */
  async scrollToOrder(id) {
    const i = this.orders.findIndex((o) => String(o.id) === String(id));
    if (i < 0) return null;
    return this.#scrollToIndex(i);
  }

  async #scrollToIndex(i) {
    const id = String(this.orders[i].id);
    const find = () => this.renderRoot.querySelector(`tr[data-order-id="${CSS.escape(id)}"]`);
    if (this.orders.length > WINDOW_ALL) {
      await this.#needVirtual();
      await this.updateComplete;
      this.virtual.getVirtualizer().scrollToIndex(i, { align: 'auto' });
    }
    for (let k = 0; k < 10 && !find(); k++) {
      await new Promise((r) => requestAnimationFrame(r));
      await this.updateComplete;
    }
    const tr = find();
    tr?.scrollIntoView({ block: 'nearest' });
    return tr;
  }

  // ArrowDown/ArrowUp on a row's checkbox, link or button: the same control one order on;
  // Ctrl+Home/Ctrl+End: the first/last order. (A <select> keeps its own arrow keys.)
  async #rowKey(e) {
    const el = e.composedPath()[0];
    if (!el?.dataset?.ctl || el.tagName === 'SELECT') return;
    const tr = el.closest('tr[data-order-id]');
    if (!tr) return;
    const i = Number(tr.getAttribute('aria-rowindex')) - 2;
    let to = null;
    if (e.key === 'ArrowDown' && !e.ctrlKey) to = i + 1;
    else if (e.key === 'ArrowUp' && !e.ctrlKey) to = i - 1;
    else if (e.key === 'End' && e.ctrlKey) to = this.orders.length - 1;
    else if (e.key === 'Home' && e.ctrlKey) to = 0;
    if (to === null) return;
    e.preventDefault();
    to = Math.max(0, Math.min(this.orders.length - 1, to));
    await this.#scrollToIndex(to);
    this.rowFocus.focus(this.orders[to].id, el.dataset.ctl, to);
  }

  /**
   * Focuses control `ctl` ('status', 'select', 'open', 'action-<to>') of order `id`; when that
   * order left the list or its control is disabled, the nearest sensible one (see RowFocus).
   */
  focusOrderControl(id, ctl, index) {
    return this.rowFocus.focus(id, ctl, index);
  }

  /** Focus after the bulk dialog: Bulk Actions, or when nothing is selected any more, "Select all". */
  focusBulk() {
    for (const sel of ['#bulk-btn', '[data-ctl="select-all"]', '#f-status']) {
      const el = this.renderRoot.querySelector(sel);
      if (el && !el.disabled) {
        el.focus();
        return true;
      }
    }
    return false;
  }

  /** [start, end) of the rows to render and the spacer heights above and below them. */
  #window() {
    const n = this.orders.length;
    if (n <= WINDOW_ALL) return { start: 0, end: n, above: 0, below: 0 };
    const v = this.virtual?.getVirtualizer();
    const items = v?.getVirtualItems() ?? [];
    if (!items.length) {
      const end = Math.min(n, 30); // before the scroller is measured: the first screen
      return { start: 0, end, above: 0, below: (n - end) * ROW_H };
    }
    const first = items[0];
    const last = items[items.length - 1];
    return { start: first.index, end: last.index + 1, above: first.start - HEAD_H, below: v.getTotalSize() - (last.end - HEAD_H) };
  }

  #toggleMenu(open = !this._menu) {
    this._menu = open;
    if (open) this.updateComplete.then(() => this.renderRoot.querySelector('[role=menuitem]')?.focus());
  }

  #menuKey(e) {
    if (e.key === 'Escape') {
      e.stopPropagation();
      this.#toggleMenu(false);
      this.renderRoot.querySelector('#bulk-btn')?.focus();
    }
  }

  #filter(patch) {
    this.#fire('of-filter', { ...this.filters, ...patch });
  }

  /** 'dropdown' | 'buttons' | 'none' for this actor and workflow. */
  #mode() {
    if (this.rules.readOnly) return 'none';
    if (this.controls === 'dropdown' || this.controls === 'buttons') return this.controls;
    const out = new Map();
    for (const e of this.rules.wf.edges) out.set(e.from, (out.get(e.from) ?? 0) + 1);
    return Math.max(0, ...out.values()) <= 2 ? 'buttons' : 'dropdown';
  }

  /** Button text of a next status: the workflow's action label, or "Mark <status>" when that label leads to several statuses. */
  #buttonLabel(opt) {
    if (!opt.action) return opt.label;
    return this.rules.actionIsAmbiguous(opt.action) ? this.i18n.t('markAs', { status: opt.label }) : opt.action;
  }

  #row(o, mode, index) {
    const { rules, i18n } = this;
    const st = rules.status(o.status);
    const busy = this.busyIds.has(o.id);
    const opts = busy || mode === 'none' ? [] : rules.allowed(o);
    const sel = this.selected.has(o.id);
    const store = this.#storeNames.get(String(o.store_id)) ?? o.store_id ?? '';
    const pay = o.payment_status ? i18n.t(`payment.${o.payment_status}`) : '';
    const by = o.updated_by_name ?? o.updated_by ?? '';
    return html`<tr class="r ${sel ? 'sel' : ''}" part="row" aria-rowindex=${index + 2} data-order-id=${o.id} data-status=${st.id}>
      ${
        mode === 'none'
          ? nothing
          : html`<td class="c-sel">
              <input
                type="checkbox"
                data-ctl="select"
                aria-label=${i18n.t('selectOrder', { id: o.id })}
                .checked=${sel}
                @change=${(e) => this.#fire('of-select', { ids: [o.id], selected: e.target.checked })}
              />
            </td>`
      }
      <td class="c-id">
        <a
          href=${`#order-${o.id}`}
          data-ctl="open"
          aria-label=${i18n.t('openOrder', { id: o.id })}
          @click=${(e) => {
            e.preventDefault();
            this.#fire('of-open', { orderId: o.id });
          }}
          >#${o.id}</a
        >
      </td>
      <td class="c-cust">${o.customer_name ?? ''}</td>
      <td class="c-status">
        <of-status-badge .label=${st.label} .color=${st.color} ?pending=${busy}></of-status-badge>
        ${busy ? html`<span class="spinner" role="img" aria-label=${i18n.t('saving')}></span>` : nothing}
      </td>
      ${
        mode === 'dropdown'
          ? html`<td class="c-change">
              <of-status-dropdown data-ctl="status" .orderId=${o.id} .options=${opts} ?disabled=${busy}></of-status-dropdown>
            </td>`
          : nothing
      }
      ${
        mode === 'buttons'
          ? html`<td class="c-change buttons actions">
              ${opts.map(
                (x) =>
                  html`<button
                    data-ctl=${`action-${x.id}`}
                    data-to=${x.id}
                    aria-disabled=${!!x.blocked}
                    title=${x.blocked?.message ?? nothing}
                    @click=${() => x.blocked || this.#fire('of-status-select', { orderId: o.id, to: x.id, direct: true })}
                  >
                    ${this.#buttonLabel(x)}
                  </button>`,
              )}
            </td>`
          : nothing
      }
      <td class="c-store">${store}</td>
      <td class="c-date">
        ${o.created_at ? html`<time datetime=${o.created_at}>${i18n.date(o.created_at, { dateStyle: 'medium' })}</time>` : ''}
      </td>
      <td class="c-pay ${o.payment_status && o.payment_status !== 'paid' ? 'pay-open' : ''}">${pay}</td>
      <td class="c-total">${i18n.number(o.total, { minimumFractionDigits: 2, maximumFractionDigits: 2 })}</td>
      <td class="c-upd">
        ${by ? html`${by}${o.updated_at ? html`<span class="sr-only">, ${i18n.date(o.updated_at)}</span>` : nothing}` : nothing}
      </td>
    </tr>`;
  }

  // Store names for the Store column, rebuilt only when the store list changes.
  #storeNames = new Map();
  willUpdate(changed) {
    if (changed.has('orders')) {
      const n = this.orders.length;
      if (n > WINDOW_ALL && !this.virtual) this.#needVirtual();
      const v = this.virtual?.getVirtualizer();
      if (v && (v.options.count !== n || v.options.enabled !== n > WINDOW_ALL))
        v.setOptions({ ...v.options, count: n, enabled: n > WINDOW_ALL });
    }
    if (changed.has('orders') || changed.has('columns')) this.hide = hiddenColumns(this.columns, this.orders, this.hide);
    if (changed.has('stores')) this.#storeNames = new Map((this.stores ?? []).map((s) => [String(s.id), s.name ?? String(s.id)]));
  }

  render() {
    const { rules, i18n } = this;
    if (!rules) return html`<div class="empty" role="status">${i18n.t('loadingWorkflow')}</div>`;
    const n = this.orders.length;
    const { start, end, above, below } = this.#window();
    const mode = this.#mode();
    const allSel = n > 0 && this.orders.every((o) => this.selected.has(o.id));
    const someSel = !allSel && this.orders.some((o) => this.selected.has(o.id));
    const pages = Math.max(1, Math.ceil((this.total || 0) / (this.perPage || 50)));
    const f = this.filters ?? {};
    const nSel = mode === 'none' ? 0 : this.selected.size;
    return html` ${mode === 'none' ? html`<p class="view-only" part="view-only" id="view-only">${i18n.t('viewOnly')}</p>` : nothing}
      <div class="toolbar" part="toolbar">
        <label class="sr-only" for="f-status">${i18n.t('filterStatus')}</label>
        <select id="f-status" @change=${(e) => this.#filter({ status: e.target.value })}>
          <option value="" ?selected=${!f.status}>${i18n.t('allStatuses')}</option>
          ${rules.statuses.map((s) => html`<option value=${s.id} ?selected=${f.status === s.id}>${s.label}</option>`)}
        </select>
        <label class="sr-only" for="f-store" ?hidden=${!this.stores?.length}>${i18n.t('filterStore')}</label>
        <select id="f-store" ?hidden=${!this.stores?.length} @change=${(e) => this.#filter({ store_id: e.target.value })}>
          <option value="" ?selected=${!f.store_id}>${i18n.t('allStores')}</option>
          ${(this.stores ?? []).map((s) => html`<option value=${s.id} ?selected=${String(f.store_id) === String(s.id)}>${s.name ?? s.id}</option>`)}
        </select>
        <div
          class="menu-wrap"
          @keydown=${this.#menuKey}
          @focusout=${(e) => {
            if (!e.currentTarget.contains(e.relatedTarget)) this._menu = false;
          }}
        >
          <button
            id="bulk-btn"
            part="bulk-button"
            aria-haspopup="menu"
            aria-expanded=${this._menu ? 'true' : 'false'}
            ?disabled=${nSel === 0}
            aria-describedby=${mode === 'none' ? 'view-only' : nothing}
            @click=${() => this.#toggleMenu()}
          >
            ${i18n.t('bulkActions')}
          </button>
          ${
            this._menu && nSel
              ? html`<div role="menu" aria-label=${i18n.t('bulkActions')}>
                  <button
                    role="menuitem"
                    @click=${() => {
                      this._menu = false;
                      this.#fire('of-bulk-action', { action: 'update-status' });
                    }}
                  >
                    ${i18n.t('updateStatus')}
                  </button>
                </div>`
              : nothing
          }
        </div>
        <span class="hint" role="status" dir="auto">${nSel ? i18n.t('nSelected', { n: nSel }) : ''}</span>
        <span class="spacer"></span>
        <span class="hint" role="status" aria-live="polite" part="count" dir="auto"
          >${this.loading ? html`<span class="spinner" aria-hidden="true"></span> ${i18n.t('loadingOrders')}` : i18n.t('nOrders', { n: this.total })}</span
        >
      </div>
      <div class="scroller ${n <= 12 ? 'short' : ''}" part="table-wrap" @keydown=${this.#rowKey}>
        <table part="table" class=${this.hide} aria-busy=${this.loading ? 'true' : 'false'} aria-rowcount=${n + 1}>
          <thead>
            <tr aria-rowindex="1" part="header-row">
              ${
                mode === 'none'
                  ? nothing
                  : html`<th class="c-sel">
                      <input
                        type="checkbox"
                        data-ctl="select-all"
                        aria-label=${i18n.t('selectAll')}
                        .checked=${allSel}
                        .indeterminate=${someSel}
                        ?disabled=${n === 0}
                        @change=${(e) => this.#fire('of-select', { ids: this.orders.map((o) => o.id), selected: e.target.checked })}
                      />
                    </th>`
              }
              <th class="c-id">${i18n.t('colOrder')}</th>
              <th class="c-cust">${i18n.t('colCustomer')}</th>
              <th class="c-status">${i18n.t('colStatus')}</th>
              ${mode === 'none' ? nothing : html`<th class=${mode === 'buttons' ? 'c-change buttons' : 'c-change'}>${i18n.t('colChange')}</th>`}
              <th class="c-store">${i18n.t('colStore')}</th>
              <th class="c-date">${i18n.t('colDate')}</th>
              <th class="c-pay">${i18n.t('colPayment')}</th>
              <th class="c-total">${i18n.t('colTotal')}</th>
              <th class="c-upd">${i18n.t('colUpdatedBy')}</th>
            </tr>
          </thead>
          <tbody>
            ${above > 0 ? html`<tr aria-hidden="true" style=${`height:${above}px`}></tr>` : nothing}
            ${repeat(
              this.orders.slice(start, end),
              (o) => o.id,
              (o, i) => this.#row(o, mode, start + i),
            )}
            ${below > 0 ? html`<tr aria-hidden="true" style=${`height:${below}px`}></tr>` : nothing}
          </tbody>
        </table>
        ${n === 0 && !this.loading ? html`<div class="empty">${i18n.t('noOrders')}</div>` : nothing}
      </div>
      <div class="pager" part="pager">
        <label for="per-page">${i18n.t('perPage')}</label>
        <select id="per-page" @change=${(e) => this.#fire('of-page', { page: 1, perPage: Number(e.target.value) })}>
          ${[25, 50, 100, 500, 5000].map((p) => html`<option value=${p} ?selected=${p === this.perPage}>${i18n.number(p)}</option>`)}
        </select>
        <button
          ?disabled=${this.page <= 1 || this.loading}
          @click=${() => this.#fire('of-page', { page: this.page - 1, perPage: this.perPage })}
        >
          ${i18n.t('prevPage')}
        </button>
        <span>${i18n.t('pageOf', { page: this.page, pages })}</span>
        <button
          ?disabled=${this.page >= pages || this.loading}
          @click=${() => this.#fire('of-page', { page: this.page + 1, perPage: this.perPage })}
        >
          ${i18n.t('nextPage')}
        </button>
      </div>`;
  }
}
customElements.define('of-order-list', OfOrderList);
