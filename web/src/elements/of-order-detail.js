import { LitElement, html, css, nothing } from 'lit';
import { base } from './shared-styles.js';
import { renderFields, optionFields } from './fields.js';
import { engineValues } from '../rules.js';
import { Strings } from '../i18n/index.js';
import { blockableOption } from './blockable-option.js';
import './of-status-badge.js';
import './of-alert.js';
import './of-history-timeline.js';
import './of-workflow-diagram.js';

/**
 * <of-order-detail .order .rules .stores .history .busy .problem .editing>
 * The order, its status, `Update Status` → form (status dropdown, notes, the fields the chosen
 * status requires, `Save`), the history timeline and a diagram of the workflow.
 * Fires `of-save` {orderId, to, values}, `of-close`, `of-edit` {editing}; lets `of-alert-action` bubble.
 * @csspart detail - The detail section
 * @cssprop [--of-font-family=inherit] - Text font (the page's unless set)
 * @cssprop [--of-font-size=inherit] - Text size
 * @cssprop [--of-color-text=#1f2937] - Text colour
 * @cssprop [--of-color-muted=#4b5563] - Hints and secondary text
 * @cssprop [--of-color-primary=#1d4ed8] - Primary buttons
 * @cssprop [--of-color-on-primary=#fff] - Text on primary buttons
 * @cssprop [--of-color-focus=#f59e0b] - Focus ring
 * @cssprop [--of-color-danger=#b91c1c] - Errors
 * @cssprop [--of-color-warning-text=#92400e] - Warnings, unpaid orders
 * @cssprop [--of-color-surface=#fff] - Backgrounds
 * @cssprop [--of-color-surface-alt=#f9fafb] - Striped rows, secondary backgrounds
 * @cssprop [--of-color-border=#d1d5db] - Borders
 * @cssprop [--of-color-border-strong=#9ca3af] - Strong borders (inputs)
 * @cssprop [--of-color-border-soft=#eef0f3] - Row separators
 * @cssprop [--of-radius=6px] - Corners
 * @cssprop [--of-badge-radius=999px] - Status badge corners
 * @cssprop [--of-space=8px] - Spacing unit
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
  static styles = [
    base,
    css`
      :host {
        display: block;
      }
      section {
        background: var(--of-color-surface, #fff);
        border: 1px solid var(--of-color-border, #d1d5db);
        border-radius: calc(var(--of-radius, 6px) + 4px);
        padding: 14px 16px;
      }
      header {
        display: flex;
        align-items: center;
        gap: 12px;
        flex-wrap: wrap;
      }
      header h2 {
        margin: 0;
      }
      .grid {
        display: grid;
        grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
        gap: 16px;
        margin-block-start: 12px;
      }
      @media (max-width: 900px) {
        .grid {
          grid-template-columns: 1fr;
        }
      }
      dl {
        display: grid;
        grid-template-columns: max-content 1fr;
        gap: 4px 12px;
        margin: 8px 0;
      }
      dt {
        color: var(--of-color-muted, #4b5563);
      }
      dd {
        margin: 0;
        overflow-wrap: anywhere;
      }
      table {
        border-collapse: collapse;
        width: 100%;
        font-size: 0.93em;
      }
      th,
      td {
        text-align: start;
        padding: 4px 6px;
        border-block-end: 1px solid var(--of-color-border-soft, #eef0f3);
      }
      .out {
        color: var(--of-color-danger, #b91c1c);
        font-weight: 600;
      }
      .pay-open {
        color: var(--of-color-warning-text, #92400e);
        font-weight: 600;
      }
      form {
        border: 1px solid #bfdbfe;
        background: #f8fbff;
        border-radius: var(--of-radius, 6px);
        padding: 10px 12px;
        margin-block-start: 12px;
      }
      h3 {
        font-size: 1.07em;
        margin: 14px 0 6px;
      }
      .form-actions {
        display: flex;
        gap: var(--of-space, 8px);
        margin-block-start: 12px;
      }
    `,
  ];

  constructor() {
    super();
    this.history = [];
    this.editing = false;
    this.to = '';
    this.values = {};
    this._lastClick = 0;
    this.i18n = new Strings(this);
  }

  willUpdate(changed) {
    if (changed.has('order') && changed.get('order')?.id !== this.order?.id) {
      this.editing = false;
    }
    if (changed.has('editing') && !this.editing) {
      this.to = '';
      this.values = {};
    }
    if (changed.has('editing') && this.editing) this._lastClick = 0; // the double-click guard is this form's only
  }

  updated(changed) {
    // Opening an order hides the list, and with it the link that had focus: without this, focus
    // falls to the page's body and a keyboard user starts again from the top. The heading, so a
    // screen reader says which order this is.
    if (changed.has('order') && this.order && changed.get('order')?.id !== this.order.id && !this.matches(':focus-within'))
      this.renderRoot.querySelector('#detail-title')?.focus();
  }

  /** What an item's stock means in this status: only an order still to be fulfilled needs it. */
  #stock(i, st) {
    const t = (k) => this.i18n.t(k);
    if (st.terminal) return html`<td>${st.stock === 'consumed' ? t('stockUsed') : t('stockReleased')}</td>`;
    if (i.in_stock === true) return html`<td>${t('stockYes')}</td>`;
    if (i.in_stock === false) return html`<td class="out">${t('stockNo')}</td>`;
    return html`<td></td>`;
  }

  #fire(name, detail) {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }

  #options() {
    return this.order && this.rules ? this.rules.allowed(this.order) : [];
  }

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
    return html`<form
      @submit=${this.#save}
      @keydown=${(e) => {
        if (e.key === 'Escape' && !this.busy) {
          e.stopPropagation();
          this.#edit(false);
        }
      }}
    >
      <label for="new-status">${this.i18n.t('newStatus')}</label>
      <select
        id="new-status"
        ?disabled=${this.busy}
        @change=${(e) => {
          this.to = e.target.value;
        }}
      >
        <option value="" ?selected=${!this.to}>${this.i18n.t('chooseStatus')}</option>
        ${options.map((o) => blockableOption(o, this.i18n, o.id === this.to))}
      </select>
      ${
        general.length
          ? html`<of-alert
              style="margin-block-start:8px"
              kind="error"
              .message=${general[0].message}
              .detail=${general.slice(1).map((x) => x.message)}
            ></of-alert>`
          : nothing
      }
      ${renderFields({
        fields,
        values: this.values,
        errors: v.errors,
        onInput: (id, x) => {
          this.values = { ...this.values, [id]: x };
        },
        prefix: 'df',
        disabled: this.busy,
        optional: this.i18n.t('optional'),
      })}
      ${
        this.problem
          ? html`<of-alert
              style="margin-block-start:10px"
              kind=${this.problem.kind ?? 'error'}
              .message=${this.problem.message}
              .detail=${this.problem.detail}
              .actions=${this.problem.actions ?? []}
            ></of-alert>`
          : nothing
      }
      <div class="form-actions">
        <button type="submit" class="primary" ?disabled=${!v.ok || this.busy} aria-busy=${this.busy ? 'true' : 'false'}>
          ${this.busy ? html`<span class="spinner" aria-hidden="true"></span> ` : nothing}${this.i18n.t('save')}
        </button>
        <button type="button" ?disabled=${this.busy} @click=${() => this.#edit(false)}>${this.i18n.t('cancel')}</button>
      </div>
    </form>`;
  }

  render() {
    const o = this.order;
    const t = (k, p) => this.i18n.t(k, p);
    if (!o) return html`<section><p role="status">${this.loading ? t('loadingOrder') : t('noOrderSelected')}</p></section>`;
    const r = this.rules;
    const st = r.status(o.status);
    const options = this.#options();
    const reason = options.length ? '' : r.noChangeReason(o);
    const who = o.updated_by_name ?? o.updated_by ?? '';
    return html`<section
      part="detail"
      aria-labelledby="detail-title"
      @keydown=${(e) => {
        // Escape goes back to the list, as it closes a dialog (the form's own Escape cancels the edit first)
        if (e.key === 'Escape' && !this.busy) this.#fire('of-close', {});
      }}
    >
      <header>
        <h2 id="detail-title" tabindex="-1">${t('orderTitle', { id: o.id })}</h2>
        <of-status-badge .label=${st.label} .color=${st.color}></of-status-badge>
        <span style="flex:1"></span>
        ${options.length && !this.editing ? html`<button id="update-btn" class="primary" @click=${() => this.#edit(true)}>${t('updateStatus')}</button>` : nothing}
        <button @click=${() => this.#fire('of-close', {})}>${t('backToList')}</button>
      </header>
      ${!options.length ? html`<p class="hint" data-testid="no-change">${reason || t('noChangeForYou')}</p>` : nothing}
      ${this.editing ? this.#form(options) : nothing}
      <div class="grid">
        <div>
          <dl>
            ${
              o.customer_name
                ? html`<dt>${t('customer')}</dt>
                    <dd>${o.customer_name}</dd>`
                : nothing
            }
            ${
              o.store_id != null
                ? html`<dt>${t('store')}</dt>
                    <dd>${(this.stores ?? []).find((s) => String(s.id) === String(o.store_id))?.name ?? o.store_id}</dd>`
                : nothing
            }
            ${
              o.created_at
                ? html`<dt>${t('created')}</dt>
                    <dd><time datetime=${o.created_at}>${this.i18n.date(o.created_at)}</time></dd>`
                : nothing
            }
            ${
              o.payment_status
                ? html`<dt>${t('payment')}</dt>
                    <dd class=${o.payment_status !== 'paid' ? 'pay-open' : ''}>${t(`payment.${o.payment_status}`)}</dd>`
                : nothing
            }
            ${
              o.total != null
                ? html`<dt>${t('total')}</dt>
                    <dd>${this.i18n.number(o.total, { minimumFractionDigits: 2, maximumFractionDigits: 2 })}</dd>`
                : nothing
            }
            ${
              o.tracking_number
                ? html`<dt>${t('trackingNumber')}</dt>
                    <dd>${o.tracking_number}</dd>`
                : nothing
            }
            ${
              who || o.updated_at
                ? html`<dt>${t('lastChange')}</dt>
                    <dd>
                      ${who}${who && o.updated_at ? ', ' : ''}${o.updated_at ? html`<time datetime=${o.updated_at}>${this.i18n.date(o.updated_at)}</time>` : nothing}
                    </dd>`
                : nothing
            }
          </dl>
          ${
            (o.items ?? []).length
              ? html`<h3>${t('items')}</h3>
                  <table aria-label=${t('items')}>
                    <thead>
                      <tr>
                        <th>${t('colSku')}</th>
                        <th>${t('colItem')}</th>
                        <th>${t('colQty')}</th>
                        <th>${t('colStock')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      ${o.items.map(
                        (i) =>
                          html`<tr>
                            <td>${i.sku}</td>
                            <td>${i.name ?? ''}</td>
                            <td>${this.i18n.number(i.quantity)}</td>
                            ${this.#stock(i, st)}
                          </tr>`,
                      )}
                    </tbody>
                  </table>`
              : nothing
          }
          <h3>${t('workflow')}</h3>
          <of-workflow-diagram
            .statuses=${r.statuses}
            .edges=${r.wf.edges}
            .initial=${r.wf.initial}
            .current=${st.id}
            .allowed=${options}
          ></of-workflow-diagram>
        </div>
        <div>
          <h3>${t('history')}</h3>
          <of-history-timeline .entries=${this.history} .rules=${r} ?loading=${this.historyLoading}></of-history-timeline>
        </div>
      </div>
    </section>`;
  }
}
customElements.define('of-order-detail', OfOrderDetail);
