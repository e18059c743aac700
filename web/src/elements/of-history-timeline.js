import { LitElement, html, css, nothing } from 'lit';
import { base } from './shared-styles.js';
import './of-status-badge.js';

/** <of-history-timeline .entries .rules> — every status change: from → to, who, when, notes (entries null: none kept). */
export class OfHistoryTimeline extends LitElement {
  static properties = { entries: { attribute: false }, rules: { attribute: false }, loading: { type: Boolean } };
  static styles = [base, css`
    :host { display: block; }
    ol { list-style: none; margin: 0; padding: 0 0 0 14px; border-left: 2px solid #d1d5db; }
    li { position: relative; padding: 6px 0 10px 12px; }
    li::before { content: ""; position: absolute; left: -21px; top: 10px; width: 10px; height: 10px; border-radius: 50%; background: #6b7280; border: 2px solid #fff; }
    .meta { color: #4b5563; font-size: 12px; }
    .notes { white-space: pre-wrap; overflow-wrap: anywhere; background: #f9fafb; border: 1px solid #e5e7eb; border-radius: 6px; padding: 4px 8px; margin-top: 4px; }
    dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 8px; margin: 4px 0 0; font-size: 13px; }
    dt { font-weight: 600; } dd { margin: 0; overflow-wrap: anywhere; }
  `];
  constructor() { super(); this.entries = []; }

  #badge(value) {
    if (value === null || value === undefined || value === '') return html`<span class="hint">(created)</span>`;
    const s = this.rules ? this.rules.status(value) : { label: value };
    return html`<of-status-badge .label=${s.label} .color=${s.color}></of-status-badge>`;
  }

  render() {
    // null: the API keeps no history (withFallbacks' history() without an endpoint)
    if (this.entries === null) return html`<p class="hint">No status history is available: this system's API does not provide one.</p>`;
    const list = this.entries ?? [];
    if (this.loading && !list.length) return html`<p role="status">Loading history…</p>`;
    if (!list.length) return html`<p class="hint">No status changes yet.</p>`;
    return html`<ol aria-label="Status history">${list.map((h) => {
      const fields = Object.entries(h.fields ?? {}).filter(([, v]) => v !== null && v !== '');
      const when = h.at ? new Date(h.at) : null;
      return html`<li data-history-id=${h.id ?? nothing}>
        <div>${this.#badge(h.from_status)} → ${this.#badge(h.to_status)}</div>
        <div class="meta">by <strong>${h.actor ?? 'system'}</strong>
          ${when ? html` · <time datetime=${h.at}>${when.toLocaleString()}</time>` : nothing}
          ${h.source ? html` · ${h.source}` : nothing}</div>
        ${h.notification ? html`<div class="meta">Customer ${h.customer_notified ? 'notified' : `notification ${h.notification.state}`}</div>` : nothing}
        ${h.notes ? html`<div class="notes">${h.notes}</div>` : nothing}
        ${fields.length ? html`<dl>${fields.map(([k, v]) => html`<dt>${this.rules?.field(k).label ?? k}</dt><dd>${typeof v === 'string' ? v : JSON.stringify(v)}</dd>`)}</dl>` : nothing}
      </li>`;
    })}</ol>`;
  }
}
customElements.define('of-history-timeline', OfHistoryTimeline);
