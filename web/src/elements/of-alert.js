import { LitElement, html, css } from 'lit';
import { base } from './shared-styles.js';
import { Strings } from '../i18n/index.js';

/**
 * <of-alert kind="success|error|info|warning" .message .detail .actions=[{id,label}] dismissible>
 * Errors are role=alert, everything else role=status. Fires `of-alert-action` {id} and `of-dismiss`.
 * @csspart alert - The message box (also given its kind: success, info, warning, error)
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
export class OfAlert extends LitElement {
  static properties = {
    kind: {},
    message: {},
    detail: {},
    actions: { attribute: false },
    dismissible: { type: Boolean },
  };
  static styles = [
    base,
    css`
      :host {
        display: block;
      }
      .box {
        border-radius: 8px;
        padding: 8px 12px;
        border: 1px solid;
        display: flex;
        gap: 10px;
        align-items: flex-start;
      }
      .success {
        background: #ecfdf5;
        border-color: #059669;
        color: #064e3b;
      }
      .error {
        background: #fef2f2;
        border-color: #dc2626;
        color: #7f1d1d;
      }
      .warning {
        background: #fffbeb;
        border-color: #d97706;
        color: #78350f;
      }
      .info {
        background: #eff6ff;
        border-color: #2563eb;
        color: #1e3a8a;
      }
      .text {
        flex: 1;
        overflow-wrap: anywhere;
      }
      .msg {
        white-space: pre-wrap;
      }
      .detail {
        font-size: 13px;
        opacity: 0.9;
        margin-block-start: 2px;
      }
      ul {
        margin: 4px 0 0;
        padding-inline-start: 18px;
      }
    `,
  ];
  constructor() {
    super();
    this.kind = 'info';
    this.actions = [];
    this.dismissible = false;
    this.i18n = new Strings(this);
  }

  #fire(name, detail) {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }

  render() {
    const role = this.kind === 'error' ? 'alert' : 'status';
    const detail = this.detail;
    return html`<div class="box ${this.kind}" part="alert ${this.kind}" role=${role}>
      <div class="text" dir="auto">
        <div class="msg">${this.message ?? ''}</div>
        ${
          Array.isArray(detail) && detail.length
            ? html`<ul class="detail">
                ${detail.map((d) => html`<li>${d}</li>`)}
              </ul>`
            : detail && !Array.isArray(detail)
              ? html`<div class="detail">${detail}</div>`
              : ''
        }
      </div>
      ${(this.actions ?? []).map(
        (a) =>
          html`<button
            class=${a.primary ? 'primary' : ''}
            ?disabled=${a.disabled}
            @click=${() => this.#fire('of-alert-action', { id: a.id })}
          >
            ${a.label}
          </button>`,
      )}
      ${this.dismissible ? html`<button aria-label=${this.i18n.t('dismiss')} @click=${() => this.#fire('of-dismiss', {})}>×</button>` : ''}
    </div>`;
  }
}
customElements.define('of-alert', OfAlert);
