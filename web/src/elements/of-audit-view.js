// Admin view of the audit trail of refused change attempts (GET /api/v1/audit), with filters by
// user, order and code. Property `api`: an AdminApi.
import { LitElement, html, css, nothing } from 'lit';
import { base } from './shared-styles.js';

export class OfAuditView extends LitElement {
  static properties = {
    api: { attribute: false },
    entries: { state: true }, loading: { state: true }, problem: { state: true },
  };

  static styles = [base, css`
    :host { display: block; }
    form { display: flex; gap: 10px; align-items: end; flex-wrap: wrap; }
    form label { margin: 0 0 2px; }
    table { border-collapse: collapse; width: 100%; background: #fff; margin-top: 8px; }
    caption { text-align: left; font-weight: 600; font-size: 16px; padding: 6px 0; }
    th, td { border-bottom: 1px solid #e5e7eb; padding: 5px 8px; text-align: left; }
    th { background: #f9fafb; font-size: 13px; }
  `];

  constructor() {
    super();
    this.entries = []; this.loading = false; this.problem = ''; this.filter = {};
  }

  updated(changed) {
    if (changed.has('api') && this.api) this.load();
  }

  async load() {
    this.loading = true; this.problem = '';
    try {
      this.entries = (await this.api.audit({ ...this.filter, limit: 200 })).entries;
    } catch (e) {
      this.problem = e.message;
    } finally {
      this.loading = false;
    }
  }

  #apply(e) {
    e.preventDefault();
    const f = e.target;
    this.filter = { username: f.username.value.trim(), order_id: f.order_id.value.trim(), code: f.code.value.trim() };
    this.load();
  }

  render() {
    return html`
      <form @submit=${this.#apply}>
        <div><label for="username">User</label><input id="username" name="username" size="12"></div>
        <div><label for="order_id">Order</label><input id="order_id" name="order_id" size="8" inputmode="numeric"></div>
        <div><label for="code">Code</label><input id="code" name="code" size="16"></div>
        <button type="submit" ?disabled=${this.loading}>Apply filters</button>
      </form>
      ${this.problem ? html`<of-alert kind="error" .message=${this.problem}></of-alert>` : nothing}
      <table aria-busy=${this.loading ? 'true' : 'false'}>
        <caption>Refused attempts</caption>
        <thead><tr><th scope="col">When</th><th scope="col">User</th><th scope="col">Workflow</th><th scope="col">Order</th>
          <th scope="col">Target</th><th scope="col">HTTP</th><th scope="col">Codes</th><th scope="col">Source</th></tr></thead>
        <tbody>
          ${this.entries.map((e) => html`<tr>
            <td>${e.at}</td><td>${e.username}</td><td>${e.workflow}</td><td>${e.order_id ?? ''}</td>
            <td>${e.target_status ?? ''}</td><td>${e.http_status}</td><td>${e.codes.join(', ')}</td><td>${e.source}</td>
          </tr>`)}
          ${this.entries.length === 0 && !this.loading ? html`<tr><td colspan="8">No refused attempts match.</td></tr>` : nothing}
        </tbody>
      </table>`;
  }
}
customElements.define('of-audit-view', OfAuditView);
