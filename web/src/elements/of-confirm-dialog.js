import { LitElement, html, css, nothing } from 'lit';
import { base } from './shared-styles.js';
import { trapTab } from './focus-trap.js';
import { renderFields, optionFields } from './fields.js';
import { engineValues } from '../rules.js';
import { Strings } from '../i18n/index.js';
import './of-status-badge.js';
import './of-alert.js';

/**
 * <of-confirm-dialog .open .order .option .rules .busy .problem>
 * A modal (native <dialog>: focus stays inside, Escape closes) asking to confirm one status
 * change, with the option's notes and required fields. The engine's `check` runs as the user
 * types; Confirm stays disabled while it refuses. When `order` is replaced while open (after a
 * 409 or a Refresh) it shows the order's status now and what may follow from it.
 * Fires `of-confirm` {orderId, to, values}, `of-dismiss`, and lets `of-alert-action`
 * {id: 'retry'|'refresh'} bubble from its problem alert.
 * @csspart dialog - The <dialog>
 * @csspart primary-button - The Confirm button
 * @csspart dialog-actions - The dialog's buttons
 * @cssprop [--of-font-family=inherit] - Text font (the page's unless set)
 * @cssprop [--of-font-size=inherit] - Text size
 * @cssprop [--of-color-text=#1f2937] - Text colour
 * @cssprop [--of-color-muted=#4b5563] - Hints and secondary text
 * @cssprop [--of-color-primary=#1d4ed8] - Primary buttons
 * @cssprop [--of-color-on-primary=#fff] - Text on primary buttons
 * @cssprop [--of-color-focus=#f59e0b] - Focus ring
 * @cssprop [--of-color-danger=#b91c1c] - Errors
 * @cssprop [--of-color-surface=#fff] - Backgrounds
 * @cssprop [--of-color-surface-alt=#f9fafb] - Striped rows, secondary backgrounds
 * @cssprop [--of-color-border-strong=#9ca3af] - Strong borders (inputs)
 * @cssprop [--of-color-border-soft=#eef0f3] - Row separators
 * @cssprop [--of-radius=6px] - Corners
 * @cssprop [--of-badge-radius=999px] - Status badge corners
 * @cssprop [--of-space=8px] - Spacing unit
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
  static styles = [
    base,
    css`
      .change {
        display: flex;
        gap: var(--of-space, 8px);
        align-items: center;
        margin: 6px 0 10px;
      }
      .now {
        margin: 0 0 10px;
      }
    `,
  ];

  constructor() {
    super();
    this.open = false;
    this.values = {};
    this.busy = false;
    this.problem = null;
    this._key = '';
    this._lastClick = 0;
    this.i18n = new Strings(this);
  }

  willUpdate(changed) {
    const key = `${this.order?.id}>${this.option?.id}`;
    const opening = changed.has('open') && this.open;
    if (opening || key !== this._key) {
      if (key !== this._key) this.values = {};
      this._key = key;
      // the double-click guard and the status the user chose from belong to this dialog only
      this._lastClick = 0;
      this._fromStatus = this.order?.status;
    }
  }

  updated() {
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

  #input(id, v) {
    this.values = { ...this.values, [id]: v };
  }

  #confirm() {
    const now = Date.now();
    if (this.busy || now - this._lastClick < 400) return; // a double click sends one request
    this._lastClick = now;
    if (!this.verdict.ok) return;
    this.dispatchEvent(
      new CustomEvent('of-confirm', {
        detail: { orderId: this.order.id, to: this.option.id, values: { ...this.values } },
        bubbles: true,
        composed: true,
      }),
    );
  }

  #dismiss() {
    this.dispatchEvent(new CustomEvent('of-dismiss', { bubbles: true, composed: true }));
  }

  #cancel(e) {
    // Escape
    e.preventDefault();
    if (!this.busy) this.#dismiss();
  }

  /** After the order changed under the dialog: its status now and what this user may pick from there (not what a guard refuses). */
  #now(cur) {
    const t = (k, p) => this.i18n.t(k, p);
    const next = this.rules
      .allowed(this.order)
      .filter((o) => !o.blocked)
      .map((o) => o.label);
    const list = new Intl.ListFormat(this.i18n.locale, { type: 'disjunction' }).format(next);
    return html`<p class="now" role="status" data-testid="now">
      ${t('nowIs', { status: cur.label })}
      ${next.length ? t('allowedFrom', { status: cur.label, list }) : t('noneAllowed', { status: cur.label })}
    </p>`;
  }

  render() {
    if (!this.order || !this.option || !this.rules) return html`<dialog @cancel=${this.#cancel}></dialog>`;
    const t = (k, p) => this.i18n.t(k, p);
    const v = this.verdict;
    const fields = optionFields(this.option, this.rules);
    const fieldIds = new Set(fields.map((f) => f.def.id));
    const general = (v.errors ?? []).filter((e) => !e.field || !fieldIds.has(e.field));
    const cur = this.rules.status(this.order.status);
    const moved = this._fromStatus !== undefined && this.rules.status(this._fromStatus).id !== cur.id;
    const titleId = 'confirm-title';
    return html`<dialog part="dialog" aria-labelledby=${titleId} @cancel=${this.#cancel} @keydown=${trapTab}>
      <form
        method="dialog"
        @submit=${(e) => {
          e.preventDefault();
          this.#confirm();
        }}
      >
        <div class="dialog-body">
          <h2 id=${titleId}>${t('changeOrderTo', { id: this.order.id, status: this.option.label })}</h2>
          <div class="change">
            <of-status-badge .label=${cur.label} .color=${cur.color}></of-status-badge> <span aria-hidden="true" class="arrow"></span>
            <of-status-badge .label=${this.option.label} .color=${this.option.color}></of-status-badge>
          </div>
          ${moved ? this.#now(cur) : nothing}
          ${
            general.length
              ? html`<of-alert kind="error" .message=${general[0].message} .detail=${general.slice(1).map((e) => e.message)}></of-alert>`
              : nothing
          }
          ${renderFields({ fields, values: this.values, errors: v.errors, onInput: (id, x) => this.#input(id, x), prefix: 'cf', disabled: this.busy, optional: t('optional') })}
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
        </div>
        <div class="dialog-actions" part="dialog-actions">
          <button type="button" @click=${this.#dismiss} ?disabled=${this.busy}>${t('cancel')}</button>
          <button
            type="submit"
            class="primary"
            part="primary-button"
            ?disabled=${!v.ok || this.busy}
            aria-busy=${this.busy ? 'true' : 'false'}
          >
            ${this.busy ? html`<span class="spinner" aria-hidden="true"></span> ` : nothing}${t('confirm')}
          </button>
        </div>
      </form>
    </dialog>`;
  }
}
customElements.define('of-confirm-dialog', OfConfirmDialog);
