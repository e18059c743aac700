import { LitElement, html, css } from 'lit';
import { base } from './shared-styles.js';

/**
 * <of-status-dropdown .orderId .current .options .disabled> — the next statuses the engine allows.
 * Fires `of-status-select` {orderId, to} and snaps back to the current status.
 */
export class OfStatusDropdown extends LitElement {
  static properties = {
    orderId: { attribute: 'order-id' },
    current: { attribute: false },
    options: { attribute: false },
    disabled: { type: Boolean },
  };
  static styles = [base, css`:host { display: inline-block; } select { max-width: 190px; }`];

  constructor() { super(); this.options = []; this.current = null; this.disabled = false; }

  #change(e) {
    const to = e.target.value;
    e.target.value = '';
    if (!to) return;
    this.dispatchEvent(new CustomEvent('of-status-select', {
      detail: { orderId: this.orderId, to }, bubbles: true, composed: true,
    }));
  }

  render() {
    const opts = this.options ?? [];
    const off = this.disabled || opts.length === 0;
    return html`<select aria-label=${`Status for order ${this.orderId}`} ?disabled=${off} @change=${this.#change}>
      <option value="" selected>${this.current?.label ?? ''}</option>
      ${opts.map((o) => html`<option value=${o.id}>${o.label}</option>`)}
    </select>`;
  }
}
customElements.define('of-status-dropdown', OfStatusDropdown);
