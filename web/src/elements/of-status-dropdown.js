import { LitElement, html, css, nothing } from 'lit';
import { base } from './shared-styles.js';
import { Strings } from '../i18n/index.js';
import { blockableOption } from './blockable-option.js';

/**
 * <of-status-dropdown .orderId .options .disabled> — the next statuses the engine allows (the
 * current status is shown by the badge beside it, not repeated here). An option the engine marks
 * `blocked` (a guard refuses this order: items out of stock, not paid) is listed disabled,
 * "<status> (unavailable)", with the engine's reason as its description (title), and the reasons
 * also describe the <select>, so they are heard before it opens. Fires `of-status-select`
 * {orderId, to} and goes back to its prompt. Focusing the element focuses its <select>.
 * @csspart select - The <select>
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
 * @cssprop [--of-space=8px] - Spacing unit
 */
export class OfStatusDropdown extends LitElement {
  static shadowRootOptions = { ...LitElement.shadowRootOptions, delegatesFocus: true };
  static properties = {
    orderId: { attribute: 'order-id' },
    options: { attribute: false },
    disabled: { type: Boolean },
  };
  static styles = [
    base,
    css`
      :host {
        display: inline-block;
      }
      select {
        max-width: 180px;
      }
    `,
  ];

  constructor() {
    super();
    this.options = [];
    this.disabled = false;
    this.i18n = new Strings(this);
  }

  #change(e) {
    const to = e.target.value;
    e.target.value = '';
    if (!to) return;
    this.dispatchEvent(
      new CustomEvent('of-status-select', {
        detail: { orderId: this.orderId, to },
        bubbles: true,
        composed: true,
      }),
    );
  }

  render() {
    const { i18n } = this;
    const opts = this.options ?? [];
    const off = this.disabled || opts.length === 0;
    const why = opts.filter((o) => o.blocked).map((o) => i18n.t('unavailable', { status: o.label }) + ': ' + o.blocked.message);
    return html`<select
      part="select"
      dir="auto"
      aria-label=${i18n.t('statusFor', { id: this.orderId })}
      title=${why.length ? why.join('\n') : nothing}
      ?disabled=${off}
      @change=${this.#change}
    >
      <option value="" selected>${off ? i18n.t('noChange') : i18n.t('changeTo')}</option>
      ${opts.map((o) => blockableOption(o, i18n))}
    </select>`;
  }
}

customElements.define('of-status-dropdown', OfStatusDropdown);
