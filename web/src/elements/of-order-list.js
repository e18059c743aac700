import { LitElement, html, css, nothing } from 'lit';
import { base } from './shared-styles.js';
import './of-status-badge.js';
import './of-status-dropdown.js';

const ROW_H = 44;
const WINDOW_ALL = 200; // up to this many rows everything is in the DOM; beyond, rows are windowed

/**
 * <of-order-list .rules .orders .total .page .perPage .loading .selected .stores .filters .busyIds>
 * Paged, filterable list: checkbox, status badge, a status dropdown holding only what the engine
 * allows this actor, and the workflow's action buttons. Large pages are windowed (only the rows
 * in view are in the DOM), so 5,000 rows render as fast as 50.
 * Fires: of-status-select {orderId, to, direct?}, of-open {orderId}, of-select {ids, selected},
 * of-page {page, perPage}, of-filter {status, store_id}, of-bulk-action {action}.
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
    _top: { state: true },
    _menu: { state: true },
  };

  static styles = [base, css`
    :host { display: block; }
    .toolbar { display: flex; gap: 12px; align-items: center; flex-wrap: wrap; margin-bottom: 8px; }
    .toolbar .spacer { flex: 1; }
    .menu-wrap { position: relative; }
    [role=menu] { position: absolute; z-index: 5; top: 100%; left: 0; background: #fff; border: 1px solid #9ca3af; border-radius: 6px; padding: 4px; min-width: 160px; box-shadow: 0 8px 20px rgba(0,0,0,.15); }
    [role=menuitem] { display: block; width: 100%; text-align: left; border: none; }
    [role=menuitem]:hover, [role=menuitem]:focus { background: #eff6ff; }
    .scroller { max-height: var(--of-list-height, 62vh); overflow: auto; border: 1px solid #d1d5db; border-radius: 8px; contain: strict; height: var(--of-list-height, 62vh); }
    .scroller.short { height: auto; contain: content; }
    table { border-collapse: collapse; width: 100%; table-layout: fixed; }
    thead th { position: sticky; top: 0; background: #f3f4f6; z-index: 1; text-align: left; font-weight: 600; padding: 8px; border-bottom: 1px solid #d1d5db; height: 24px; }
    tbody tr.r { height: ${ROW_H}px; }
    tbody tr.r:nth-child(even) { background: #f9fafb; }
    tbody tr.r.sel { background: #eff6ff; }
    td { padding: 0 8px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; border-bottom: 1px solid #eef0f3; height: ${ROW_H - 1}px; }
    .c-sel { width: 34px; } .c-id { width: 70px; } .c-store { width: 90px; } .c-total { width: 80px; text-align: right; }
    .c-status { width: 150px; } .c-change { width: 200px; } .c-actions { width: 290px; } .c-upd { width: 110px; }
    td.c-total { text-align: right; }
    a { color: #1d4ed8; }
    .empty { padding: 24px; text-align: center; color: #4b5563; }
    .pager { display: flex; gap: 8px; align-items: center; justify-content: flex-end; margin-top: 8px; }
    .actions button { padding: 1px 7px; min-height: 24px; margin-right: 3px; font-size: 12px; }
  `];

  constructor() {
    super();
    this.orders = []; this.total = 0; this.page = 1; this.perPage = 50; this.loading = false;
    this.selected = new Set(); this.busyIds = new Set(); this.stores = []; this.filters = {};
    this._top = 0; this._menu = false; this._raf = 0;
  }

  #fire(name, detail) { this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true })); }

  #onScroll(e) {
    const top = e.target.scrollTop;
    if (this._raf) return;
    this._raf = requestAnimationFrame(() => { this._raf = 0; this._top = top; });
  }

  /** Scrolls the row of `id` into the window (and view). */
  async scrollToOrder(id) {
    const i = this.orders.findIndex((o) => String(o.id) === String(id));
    const sc = this.renderRoot.querySelector('.scroller');
    if (i < 0 || !sc) return null;
    sc.scrollTop = Math.max(0, i * ROW_H - 40);
    this._top = sc.scrollTop;
    await this.updateComplete;
    return this.renderRoot.querySelector(`tr[data-order-id="${CSS.escape(String(id))}"]`);
  }

  #window() {
    const n = this.orders.length;
    if (n <= WINDOW_ALL) return [0, n];
    const sc = this.renderRoot?.querySelector('.scroller');
    const h = sc?.clientHeight || 800;
    const overscan = 10;
    const start = Math.max(0, Math.floor(this._top / ROW_H) - overscan);
    const end = Math.min(n, Math.ceil((this._top + h) / ROW_H) + overscan);
    return [start, end];
  }

  #toggleMenu(open = !this._menu) {
    this._menu = open;
    if (open) this.updateComplete.then(() => this.renderRoot.querySelector('[role=menuitem]')?.focus());
  }

  #menuKey(e) {
    if (e.key === 'Escape') { e.stopPropagation(); this.#toggleMenu(false); this.renderRoot.querySelector('#bulk-btn')?.focus(); }
  }

  #filter(patch) { this.#fire('of-filter', { ...this.filters, ...patch }); }

  #row(o, hasActions, index) {
    const rules = this.rules;
    const st = rules.status(o.status);
    const busy = this.busyIds.has(o.id);
    const opts = busy ? [] : rules.allowed(o);
    const sel = this.selected.has(o.id);
    const store = this.#storeNames.get(String(o.store_id)) ?? o.store_id ?? '';
    return html`<tr class="r ${sel ? 'sel' : ''}" aria-rowindex=${index + 2} data-order-id=${o.id} data-status=${st.id}>
      <td class="c-sel"><input type="checkbox" aria-label=${`Select order ${o.id}`} .checked=${sel}
        @change=${(e) => this.#fire('of-select', { ids: [o.id], selected: e.target.checked })}></td>
      <td class="c-id"><a href=${`#order-${o.id}`} aria-label=${`Open order ${o.id}`}
        @click=${(e) => { e.preventDefault(); this.#fire('of-open', { orderId: o.id }); }}>#${o.id}</a></td>
      <td class="c-cust" title=${o.customer_name ?? ''}>${o.customer_name ?? ''}</td>
      <td class="c-store">${store}</td>
      <td class="c-total">${typeof o.total === 'number' ? o.total.toFixed(2) : (o.total ?? '')}</td>
      <td class="c-status"><of-status-badge .label=${st.label} .color=${st.color} ?pending=${busy}></of-status-badge>
        ${busy ? html`<span class="spinner" role="img" aria-label="Saving"></span>` : nothing}</td>
      <td class="c-change"><of-status-dropdown .orderId=${o.id} .current=${st} .options=${opts} ?disabled=${busy}></of-status-dropdown></td>
      ${hasActions ? html`<td class="c-actions actions">${opts.filter((x) => x.action).map((x) => html`<button
          data-to=${x.id} @click=${() => this.#fire('of-status-select', { orderId: o.id, to: x.id, direct: true })}>${x.action}</button>`)}</td>` : nothing}
      <td class="c-upd" title=${o.updated_at ?? ''}>${o.updated_by ?? ''}</td>
    </tr>`;
  }

  // Store names for the Store column, rebuilt only when the store list changes.
  #storeNames = new Map();
  willUpdate(changed) {
    if (changed.has('stores')) this.#storeNames = new Map((this.stores ?? []).map((s) => [String(s.id), s.name ?? String(s.id)]));
  }

  render() {
    const rules = this.rules;
    if (!rules) return html`<div class="empty" role="status">Loading workflow…</div>`;
    const n = this.orders.length;
    const [start, end] = this.#window();
    const hasActions = rules.transitions.some((t) => t.action);
    const allSel = n > 0 && this.orders.every((o) => this.selected.has(o.id));
    const someSel = !allSel && this.orders.some((o) => this.selected.has(o.id));
    const pages = Math.max(1, Math.ceil((this.total || 0) / (this.perPage || 50)));
    const f = this.filters ?? {};
    const nSel = this.selected.size;
    return html`
      <div class="toolbar">
        <label class="sr-only" for="f-status">Filter by status</label>
        <select id="f-status" @change=${(e) => this.#filter({ status: e.target.value })}>
          <option value="" ?selected=${!f.status}>All statuses</option>
          ${rules.statuses.map((s) => html`<option value=${s.id} ?selected=${f.status === s.id}>${s.label}</option>`)}
        </select>
        <label class="sr-only" for="f-store">Filter by store</label>
        <select id="f-store" @change=${(e) => this.#filter({ store_id: e.target.value })}>
          <option value="" ?selected=${!f.store_id}>All stores</option>
          ${(this.stores ?? []).map((s) => html`<option value=${s.id} ?selected=${String(f.store_id) === String(s.id)}>${s.name ?? s.id}</option>`)}
        </select>
        <div class="menu-wrap" @keydown=${this.#menuKey} @focusout=${(e) => { if (!e.currentTarget.contains(e.relatedTarget)) this._menu = false; }}>
          <button id="bulk-btn" aria-haspopup="menu" aria-expanded=${this._menu ? 'true' : 'false'} ?disabled=${nSel === 0}
            @click=${() => this.#toggleMenu()}>Bulk Actions</button>
          ${this._menu ? html`<div role="menu" aria-label="Bulk Actions">
            <button role="menuitem" @click=${() => { this._menu = false; this.#fire('of-bulk-action', { action: 'update-status' }); }}>Update Status</button>
          </div>` : nothing}
        </div>
        <span class="hint" role="status">${nSel ? `${nSel} selected` : ''}</span>
        <span class="spacer"></span>
        <span class="hint" role="status" aria-live="polite">${this.loading ? html`<span class="spinner" aria-hidden="true"></span> Loading orders…` : `${this.total} orders`}</span>
      </div>
      <div class="scroller ${n <= 12 ? 'short' : ''}" @scroll=${this.#onScroll}>
        <table aria-busy=${this.loading ? 'true' : 'false'} aria-rowcount=${n + 1}>
          <thead><tr aria-rowindex="1">
            <th class="c-sel"><input type="checkbox" aria-label="Select all orders" .checked=${allSel} .indeterminate=${someSel}
              ?disabled=${n === 0} @change=${(e) => this.#fire('of-select', { ids: this.orders.map((o) => o.id), selected: e.target.checked })}></th>
            <th class="c-id">Order</th><th class="c-cust">Customer</th><th class="c-store">Store</th><th class="c-total">Total</th>
            <th class="c-status">Status</th><th class="c-change">Change status</th>
            ${hasActions ? html`<th class="c-actions">Actions</th>` : nothing}
            <th class="c-upd">Updated by</th>
          </tr></thead>
          <tbody>
            ${start > 0 ? html`<tr aria-hidden="true" style=${`height:${start * ROW_H}px`}></tr>` : nothing}
            ${this.orders.slice(start, end).map((o, i) => this.#row(o, hasActions, start + i))}
            ${end < n ? html`<tr aria-hidden="true" style=${`height:${(n - end) * ROW_H}px`}></tr>` : nothing}
          </tbody>
        </table>
        ${n === 0 && !this.loading ? html`<div class="empty">No orders match.</div>` : nothing}
      </div>
      <div class="pager">
        <label for="per-page" style="margin:0;font-weight:400">Orders per page</label>
        <select id="per-page" @change=${(e) => this.#fire('of-page', { page: 1, perPage: Number(e.target.value) })}>
          ${[25, 50, 100, 500, 5000].map((p) => html`<option value=${p} ?selected=${p === this.perPage}>${p}</option>`)}
        </select>
        <button ?disabled=${this.page <= 1 || this.loading} @click=${() => this.#fire('of-page', { page: this.page - 1, perPage: this.perPage })}>Previous page</button>
        <span>Page ${this.page} of ${pages}</span>
        <button ?disabled=${this.page >= pages || this.loading} @click=${() => this.#fire('of-page', { page: this.page + 1, perPage: this.perPage })}>Next page</button>
      </div>`;
  }
}
customElements.define('of-order-list', OfOrderList);
