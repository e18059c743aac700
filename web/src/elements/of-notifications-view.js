// Admin view of customer notifications (GET /api/v1/notifications): state filter, attempts,
// last error, and Retry for a failed (or held) one. Property `api`: an AdminApi.
import { LitElement, html, css, nothing } from 'lit';
import { base } from './shared-styles.js';

const STATES = ['pending', 'sent', 'failed', 'held'];

export class OfNotificationsView extends LitElement {
  static properties = {
    api: { attribute: false },
    state: { state: true }, rows: { state: true }, total: { state: true }, transports: { state: true },
    loading: { state: true }, problem: { state: true }, message: { state: true },
  };

  static styles = [base, css`
    :host { display: block; }
    table { border-collapse: collapse; width: 100%; background: #fff; }
    caption { text-align: left; font-weight: 600; font-size: 16px; padding: 6px 0; }
    th, td { border-bottom: 1px solid #e5e7eb; padding: 5px 8px; text-align: left; vertical-align: top; }
    th { background: #f9fafb; font-size: 13px; }
    .state-failed { color: #b91c1c; font-weight: 600; }
    .state-held { color: #92400e; }
    .err { color: #7f1d1d; font-size: 12px; max-width: 28em; overflow-wrap: anywhere; }
  `];

  constructor() {
    super();
    this.state = ''; this.rows = []; this.total = 0; this.transports = [];
    this.loading = false; this.problem = ''; this.message = '';
  }

  updated(changed) {
    if (changed.has('api') && this.api) this.load();
  }

  async load() {
    this.loading = true; this.problem = '';
    try {
      const r = await this.api.notifications({ state: this.state, per_page: 100 });
      this.rows = r.notifications; this.total = r.total; this.transports = r.transports;
    } catch (e) {
      this.problem = e.message;
    } finally {
      this.loading = false;
    }
  }

  async #retry(n) {
    this.message = '';
    try {
      await this.api.retryNotification(n.id);
      this.message = `Notification ${n.id} queued again`;
    } catch (e) {
      this.problem = e.message;
    }
    await this.load();
  }

  render() {
    return html`
      <div class="row">
        <label for="state">State</label>
        <select id="state" @change=${(e) => { this.state = e.target.value; this.load(); }}>
          <option value="">All</option>
          ${STATES.map((s) => html`<option value=${s} ?selected=${s === this.state}>${s}</option>`)}
        </select>
        <button @click=${() => this.load()} ?disabled=${this.loading}>Refresh</button>
        <span class="hint">${this.transports.length ? `Transports: ${this.transports.join(', ')}` : 'No transport configured: notifications are held'}</span>
      </div>
      ${this.problem ? html`<of-alert kind="error" .message=${this.problem}></of-alert>` : nothing}
      ${this.message ? html`<of-alert kind="success" .message=${this.message}></of-alert>` : nothing}
      <table aria-busy=${this.loading ? 'true' : 'false'}>
        <caption>Notifications (${this.total})</caption>
        <thead><tr><th scope="col">#</th><th scope="col">Kind</th><th scope="col">Workflow</th><th scope="col">Orders</th>
          <th scope="col">State</th><th scope="col">Attempts</th><th scope="col">Last error</th><th scope="col">Created</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
        <tbody>
          ${this.rows.map((n) => html`<tr>
            <td>${n.id}</td><td>${n.kind}</td><td>${n.workflow ?? ''}</td><td>${n.order_count}</td>
            <td class="state-${n.state}">${n.state}</td><td>${n.attempts}</td>
            <td class="err">${n.last_error ?? ''}</td><td>${n.created_at}</td>
            <td>${n.state === 'failed' || (n.state === 'held' && this.transports.length)
              ? html`<button aria-label="Retry notification ${n.id}" @click=${() => this.#retry(n)}>Retry</button>` : nothing}</td>
          </tr>`)}
          ${this.rows.length === 0 && !this.loading ? html`<tr><td colspan="9">No notifications${this.state ? ` in state ${this.state}` : ''}.</td></tr>` : nothing}
        </tbody>
      </table>`;
  }
}
customElements.define('of-notifications-view', OfNotificationsView);
