import { LitElement, html, css } from 'lit';
import { badgeColors } from '../color.js';

/**
 * <of-status-badge label="Processing" color="#2563eb"> — a status in its workflow colour.
 * @csspart badge - The badge
 * @cssprop [--of-badge-radius=999px] - Status badge corners
 */
export class OfStatusBadge extends LitElement {
  static properties = { label: {}, color: {}, pending: { type: Boolean } };
  static styles = css`
    :host {
      display: inline-block;
    }
    span {
      display: inline-block;
      padding: 2px 9px;
      border-radius: var(--of-badge-radius, 999px);
      font-size: 0.86em;
      font-weight: 600;
      line-height: 18px;
      white-space: nowrap;
    }
    span.saving {
      outline: 2px dashed #6b7280;
      outline-offset: 1px;
    }
  `;
  render() {
    return html`<span part="badge" class=${this.pending ? 'saving' : ''}>${this.label ?? ''}</span>`;
  }
  // The colours go through the CSSOM, as styleMap would (allowed under a CSP without inline
  // styles), without its directive in the bundle every page loads: badgeColors always gives both.
  updated() {
    Object.assign(this.renderRoot.querySelector('span').style, badgeColors(this.color));
  }
}
customElements.define('of-status-badge', OfStatusBadge);
