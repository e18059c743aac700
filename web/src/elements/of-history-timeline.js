import { LitElement, html, css, nothing } from 'lit';
import { base } from './shared-styles.js';
import { Strings } from '../i18n/index.js';
import './of-status-badge.js';

/**
 * <of-history-timeline .entries .rules> — every status change: from → to, who, when, notes (entries null: none kept).
 * @csspart timeline - The list of changes
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
 * @cssprop [--of-color-border=#d1d5db] - Borders
 * @cssprop [--of-color-border-strong=#9ca3af] - Strong borders (inputs)
 * @cssprop [--of-color-border-soft=#eef0f3] - Row separators
 * @cssprop [--of-radius=6px] - Corners
 * @cssprop [--of-badge-radius=999px] - Status badge corners
 * @cssprop [--of-space=8px] - Spacing unit
 */
export class OfHistoryTimeline extends LitElement {
  static properties = { entries: { attribute: false }, rules: { attribute: false }, loading: { type: Boolean } };
  static styles = [
    base,
    css`
      :host {
        display: block;
      }
      ol {
        list-style: none;
        margin: 0;
        padding: 0;
        padding-inline-start: 14px;
        border-inline-start: 2px solid var(--of-color-border, #d1d5db);
      }
      li {
        position: relative;
        padding-block: 6px 10px;
        padding-inline: 12px 0;
      }
      li::before {
        content: '';
        position: absolute;
        inset-inline-start: -21px;
        inset-block-start: 10px;
        width: 10px;
        height: 10px;
        border-radius: 50%;
        background: #6b7280;
        border: 2px solid #fff;
      }
      .meta {
        color: var(--of-color-muted, #4b5563);
        font-size: 0.86em;
      }
      .notes {
        white-space: pre-wrap;
        overflow-wrap: anywhere;
        background: #f9fafb;
        border: 1px solid #e5e7eb;
        border-radius: 6px;
        padding: 4px 8px;
        margin-block-start: 4px;
      }
      dl {
        display: grid;
        grid-template-columns: max-content 1fr;
        gap: 2px 8px;
        margin: 4px 0 0;
        font-size: 13px;
      }
      dt {
        font-weight: 600;
      }
      dd {
        margin: 0;
        overflow-wrap: anywhere;
      }
    `,
  ];
  constructor() {
    super();
    this.entries = [];
    this.i18n = new Strings(this);
  }

  #badge(value) {
    if (value === null || value === undefined || value === '') return html`<span class="hint">${this.i18n.t('created_')}</span>`;
    const s = this.rules ? this.rules.status(value) : { label: value };
    return html`<of-status-badge .label=${s.label} .color=${s.color}></of-status-badge>`;
  }

  render() {
    const t = (k, p) => this.i18n.t(k, p);
    // null: the API keeps no history (withFallbacks' history() without an endpoint)
    if (this.entries === null) return html`<p class="hint">${t('historyUnavailable')}</p>`;
    const list = this.entries ?? [];
    if (this.loading && !list.length) return html`<p role="status">${t('loadingHistory')}</p>`;
    if (!list.length) return html`<p class="hint">${t('noHistory')}</p>`;
    return html`<ol part="timeline" aria-label=${t('statusHistory')}>
      ${list.map((h) => {
        const fields = Object.entries(h.fields ?? {}).filter(([, v]) => v !== null && v !== '');
        const when = this.i18n.date(h.at);
        // the source tag is the API's word ("pos"): staff read where the change was made
        const source = h.source ? t(`source.${h.source}`) : '';
        return html`<li data-history-id=${h.id ?? nothing}>
          <div>${this.#badge(h.from_status)} <span class="arrow" aria-hidden="true"></span> ${this.#badge(h.to_status)}</div>
          <div class="meta">
            ${t('by', { who: h.actor_name ?? h.actor ?? t('system') })} ${when ? html` · <time datetime=${h.at}>${when}</time>` : nothing}
            ${source ? html` · ${source.startsWith('source.') ? h.source : source}` : nothing}
          </div>
          ${h.notification ? html`<div class="meta">${t(h.customer_notified ? 'customerNotification.sent' : `customerNotification.${h.notification.state}`)}</div>` : nothing}
          ${h.notes ? html`<div class="notes">${h.notes}</div>` : nothing}
          ${
            fields.length
              ? html`<dl>
                  ${fields.map(
                    ([k, v]) =>
                      html`<dt>${this.rules?.field(k).label ?? k}</dt>
                        <dd>${typeof v === 'string' ? v : JSON.stringify(v)}</dd>`,
                  )}
                </dl>`
              : nothing
          }
        </li>`;
      })}
    </ol>`;
  }
}
customElements.define('of-history-timeline', OfHistoryTimeline);
