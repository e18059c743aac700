import { LitElement, html, css, nothing } from 'lit';
import { base } from './shared-styles.js';
import { renderFields, optionFields } from './fields.js';
import { engineValues } from '../rules.js';
import './of-status-badge.js';
import './of-alert.js';
import './of-history-timeline.js';
import './of-workflow-diagram.js';

/**
 * <of-order-detail .order .rules .stores .history .busy .problem .editing>
 * The order, its status, `Update Status` → form (status dropdown, notes, the fields the chosen
 * status requires, `Save`), the history timeline and a diagram of the workflow.
 * Fires `of-save` {orderId, to, values}, `of-close`, `of-edit` {editing}; lets `of-alert-action` bubble.
 */
export class OfOrderDetail extends LitElement {
  static properties = {
    order: { attribute: false },
    rules: { attribute: false },
    stores: { attribute: false },
    history: { attribute: false },
    historyLoading: { type: Boolean },
    loading: { type: Boolean },
    busy: { type: Boolean },
    problem: { attribute: false },
    editing: { type: Boolean },
    to: { state: true },
    values: { state: true },
  };
  static styles = [base, css`
    :host { display: block; }
    section { background: #fff; border: 1px solid #d1d5db; border-radius: 10px; padding: 14px 16px; }
    header { display: flex; align-items: center; gap: 12px; flex-wrap: wrap; }
    header h2 { margin: 0; }
    .grid { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 16px; margin-top: 12px; }
    @media (max-width: 900px) { .grid { grid-template-columns: 1fr; } }
    dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 12px; margin: 8px 0; }
    dt { color: #4b5563; } dd { margin: 0; overflow-wrap: anywhere; }
    table { border-collapse: collapse; width: 100%; font-size: 13px; }
    th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid #eef0f3; }
    .out { color: #b91c1c; font-weight: 600; }
    form { border: 1px solid #bfdbfe; background: #f8fbff; border-radius: 8px; padding: 10px 12px; margin-top: 12px; }
    h3 { font-size: 15px; margin: 14px 0 6px; }
    .form-actions { display: flex; gap: 8px; margin-top: 12px; }
  `];

  constructor() { super(); this.history = []; this.editing = false; this.to = ''; this.values = {}; this._lastClick = 0; }

  willUpdate(changed) {
    if (changed.has('order') && changed.get('order')?.id !== this.order?.id) { this.editing = false; }
    if (changed.has('editing') && !this.editing) { this.to = ''; this.values = {}; }
  }

  #fire(name, detail) { this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true })); }

  #options() { return this.order && this.rules ? this.rules.allowed(this.order) : []; }

  #verdict() {
    if (!this.to) return { ok: false, errors: [] };
    return this.rules.check(this.order, this.to, engineValues(this.values));
  }

  #edit(on) {
    this.editing = on;
    this.#fire('of-edit', { editing: on });
    if (on) this.updateComplete.then(() => this.renderRoot.querySelector('#new-status')?.focus());
    else this.updateComplete.then(() => this.renderRoot.querySelector('#update-btn')?.focus());
  }

  #save(e) {
    e.preventDefault();
    const now = Date.now();
    if (this.busy || now - this._lastClick < 400) return;
    this._lastClick = now;
    if (!this.#verdict().ok) return;
    this.#fire('of-save', { orderId: this.order.id, to: this.to, values: { ...this.values } });
  }

  #form(options) {
    const option = options.find((o) => o.id === this.to);
    const v = this.#verdict();
    const fields = optionFields(option, this.rules);
    const ids = new Set(fields.map((f) => f.def.id));
    const general = (v.errors ?? []).filter((x) => !x.field || !ids.has(x.field));
    return html`<form @submit=${this.#save} @keydown=${(e) => { if (e.key === 'Escape' && !this.busy) { e.stopPropagation(); this.#edit(false); } }}>
      <label for="new-status">New status</label>
      <select id="new-status" ?disabled=${this.busy} @change=${(e) => { this.to = e.target.value; }}>
        <option value="" ?selected=${!this.to}>Choose a status…</option>
        ${options.map((o) => html`<option value=${o.id} ?selected=${o.id === this.to}>${o.label}</option>`)}
      </select>
      ${general.length ? html`<of-alert style="margin-top:8px" kind="error" .message=${general[0].message}
          .detail=${general.slice(1).map((x) => x.message)}></of-alert>` : nothing}
      ${renderFields({ fields, values: this.values, errors: v.errors, onInput: (id, x) => { this.values = { ...this.values, [id]: x }; }, prefix: 'df', disabled: this.busy })}
      ${this.problem ? html`<of-alert style="margin-top:10px" kind=${this.problem.kind ?? 'error'} .message=${this.problem.message}
          .detail=${this.problem.detail} .actions=${this.problem.actions ?? []}></of-alert>` : nothing}
      <div class="form-actions">
        <button type="submit" class="primary" ?disabled=${!v.ok || this.busy} aria-busy=${this.busy ? 'true' : 'false'}>
          ${this.busy ? html`<span class="spinner" aria-hidden="true"></span> ` : nothing}Save</button>
        <button type="button" ?disabled=${this.busy} @click=${() => this.#edit(false)}>Cancel</button>
      </div>
    </form>`;
  }

  render() {
    const o = this.order;
    if (!o) return html`<section><p role="status">${this.loading ? 'Loading order…' : 'No order selected.'}</p></section>`;
    const r = this.rules;
    const st = r.status(o.status);
    const options = this.#options();
    const reason = options.length ? '' : r.noChangeReason(o);
    return html`<section aria-labelledby="detail-title">
      <header>
        <h2 id="detail-title">Order ${o.id}</h2>
        <of-status-badge .label=${st.label} .color=${st.color}></of-status-badge>
        <span class="hint">version ${o.lock_version ?? ''}</span>
        <span style="flex:1"></span>
        ${options.length && !this.editing ? html`<button id="update-btn" class="primary" @click=${() => this.#edit(true)}>Update Status</button>` : nothing}
        <button @click=${() => this.#fire('of-close', {})}>Back to list</button>
      </header>
      ${!options.length ? html`<p class="hint" data-testid="no-change">${reason || 'No status change is available to you for this order.'}</p>` : nothing}
      ${this.editing ? this.#form(options) : nothing}
      <div class="grid">
        <div>
          <dl>
            <dt>Customer</dt><dd>${o.customer_name ?? ''}</dd>
            <dt>Store</dt><dd>${(this.stores ?? []).find((s) => String(s.id) === String(o.store_id))?.name ?? o.store_id ?? ''}</dd>
            <dt>Payment</dt><dd>${o.payment_status ?? ''}</dd>
            <dt>Total</dt><dd>${typeof o.total === 'number' ? o.total.toFixed(2) : (o.total ?? '')}</dd>
            ${o.tracking_number ? html`<dt>Tracking number</dt><dd>${o.tracking_number}</dd>` : nothing}
            <dt>Last change</dt><dd>${o.updated_by ?? ''} ${o.updated_at ? html`<time datetime=${o.updated_at}>${new Date(o.updated_at).toLocaleString()}</time>` : nothing}</dd>
          </dl>
          ${(o.items ?? []).length ? html`<h3>Items</h3><table aria-label="Items">
            <thead><tr><th>SKU</th><th>Item</th><th>Qty</th><th>In stock</th></tr></thead>
            <tbody>${o.items.map((i) => html`<tr><td>${i.sku}</td><td>${i.name ?? ''}</td><td>${i.quantity}</td>
              <td class=${i.in_stock === false ? 'out' : ''}>${i.in_stock === true ? 'yes' : i.in_stock === false ? 'no' : String(i.in_stock ?? '')}</td></tr>`)}</tbody>
          </table>` : nothing}
          <h3>Workflow</h3>
          <of-workflow-diagram .statuses=${r.statuses} .edges=${r.wf.edges} .initial=${r.wf.initial}
            .current=${st.id} .allowed=${options}></of-workflow-diagram>
        </div>
        <div>
          <h3>History</h3>
          <of-history-timeline .entries=${this.history} .rules=${r} ?loading=${this.historyLoading}></of-history-timeline>
        </div>
      </div>
    </section>`;
  }
}
customElements.define('of-order-detail', OfOrderDetail);
