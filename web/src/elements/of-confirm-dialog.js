import { LitElement, html, css, nothing } from 'lit';
import { base } from './shared-styles.js';
import { trapTab } from './focus-trap.js';
import { renderFields, optionFields } from './fields.js';
import { engineValues } from '../rules.js';
import './of-status-badge.js';
import './of-alert.js';

/**
 * <of-confirm-dialog .open .order .option .rules .busy .problem>
 * A modal (native <dialog>: focus stays inside, Escape closes) asking to confirm one status
 * change, with the option's notes and required fields. The engine's `check` runs as the user
 * types; Confirm stays disabled while it refuses. Fires `of-confirm` {orderId, to, values},
 * `of-dismiss`, and lets `of-alert-action` {id: 'retry'|'refresh'} bubble from its problem alert.
 */
export class OfConfirmDialog extends LitElement {
  static properties = {
    open: { type: Boolean },
    order: { attribute: false },
    option: { attribute: false },
    rules: { attribute: false },
    busy: { type: Boolean },
    problem: { attribute: false },
    values: { state: true },
  };
  static styles = [base, css`
    .change { display: flex; gap: 8px; align-items: center; margin: 6px 0 10px; }
  `];

  constructor() { super(); this.open = false; this.values = {}; this.busy = false; this.problem = null; this._key = ''; this._lastClick = 0; }

  willUpdate(changed) {
    const key = `${this.order?.id}>${this.option?.id}`;
    if ((changed.has('open') && this.open) || key !== this._key) {
      if (key !== this._key) this.values = {};
      this._key = key;
    }
  }

  updated(changed) {
    const dlg = this.renderRoot.querySelector('dialog');
    if (!dlg) return;
    if (this.open && !dlg.open) {
      dlg.showModal();
      const first = this.renderRoot.querySelector('.dialog-body textarea, .dialog-body input, .dialog-body select');
      (first ?? this.renderRoot.querySelector('button.primary'))?.focus();
    } else if (!this.open && dlg.open) dlg.close();
  }

  get verdict() {
    if (!this.order || !this.option || !this.rules) return { ok: false, errors: [] };
    return this.rules.check(this.order, this.option.id, engineValues(this.values));
  }

  #input(id, v) { this.values = { ...this.values, [id]: v }; }

  #confirm() {
    const now = Date.now();
    if (this.busy || now - this._lastClick < 400) return; // debounce double clicks
    this._lastClick = now;
    if (!this.verdict.ok) return;
    this.dispatchEvent(new CustomEvent('of-confirm', {
      detail: { orderId: this.order.id, to: this.option.id, values: { ...this.values } }, bubbles: true, composed: true,
    }));
  }

  #dismiss() {
    this.dispatchEvent(new CustomEvent('of-dismiss', { bubbles: true, composed: true }));
  }

  #cancel(e) { // Escape
    e.preventDefault();
    if (!this.busy) this.#dismiss();
  }

  render() {
    if (!this.order || !this.option || !this.rules) return html`<dialog @cancel=${this.#cancel}></dialog>`;
    const v = this.verdict;
    const fields = optionFields(this.option, this.rules);
    const fieldIds = new Set(fields.map((f) => f.def.id));
    const general = (v.errors ?? []).filter((e) => !e.field || !fieldIds.has(e.field));
    const cur = this.rules.status(this.order.status);
    const titleId = 'confirm-title';
    return html`<dialog aria-labelledby=${titleId} @cancel=${this.#cancel} @keydown=${trapTab}>
      <form method="dialog" @submit=${(e) => { e.preventDefault(); this.#confirm(); }}>
        <div class="dialog-body">
          <h2 id=${titleId}>Change order ${this.order.id} to ${this.option.label}</h2>
          <div class="change">
            <of-status-badge .label=${cur.label} .color=${cur.color}></of-status-badge> →
            <of-status-badge .label=${this.option.label} .color=${this.option.color}></of-status-badge>
          </div>
          ${general.length ? html`<of-alert kind="error" .message=${general[0].message}
              .detail=${general.slice(1).map((e) => e.message)}></of-alert>` : nothing}
          ${renderFields({ fields, values: this.values, errors: v.errors, onInput: (id, x) => this.#input(id, x), prefix: 'cf', disabled: this.busy })}
          ${this.problem ? html`<of-alert style="margin-top:10px" kind=${this.problem.kind ?? 'error'} .message=${this.problem.message}
              .detail=${this.problem.detail} .actions=${this.problem.actions ?? []}></of-alert>` : nothing}
        </div>
        <div class="dialog-actions">
          <button type="button" @click=${this.#dismiss} ?disabled=${this.busy}>Cancel</button>
          <button type="submit" class="primary" ?disabled=${!v.ok || this.busy} aria-busy=${this.busy ? 'true' : 'false'}>
            ${this.busy ? html`<span class="spinner" aria-hidden="true"></span> ` : nothing}Confirm</button>
        </div>
      </form>
    </dialog>`;
  }
}
customElements.define('of-confirm-dialog', OfConfirmDialog);
