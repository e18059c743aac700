// Admin view of customer notifications (GET /api/v1/notifications): state filter, attempts,
// last error, and Retry for a failed (or held) one. Property `api`: an AdminApi; `workflows`:
// the workflow documents by id (their names). Every word from the string table (../i18n), dates
// through Intl in the page's language.
import { LitElement, html, css, nothing } from 'lit';
import { base } from './shared-styles.js';
import { Strings } from '../i18n/index.js';
import '../i18n/admin.js'; // this view's words (English, German)
import './of-alert.js';

const STATES = ['pending', 'sent', 'failed', 'held'];

export class OfNotificationsView extends LitElement {
  static properties = {
    api: { attribute: false },
    workflows: { attribute: false },
    state: { state: true },
    rows: { state: true },
    total: { state: true },
    transports: { state: true },
    loading: { state: true },
    problem: { state: true },
    message: { state: true },
  };

  static styles = [
    base,
    css`
      :host {
        display: block;
      }
      /* a narrow window (a phone) scrolls the table sideways, not the whole page */
      .wrap {
        overflow-x: auto;
        position: relative; /* holds the visually hidden labels too */
      }
      /* the filter row (kept out of shared-styles.js: no element of the bundle uses it) */
      .row {
        display: flex;
        gap: var(--of-space, 8px);
        align-items: center;
        flex-wrap: wrap;
      }
      table {
        border-collapse: collapse;
        width: 100%;
        background: var(--of-color-surface, #fff);
      }
      caption {
        text-align: start;
        font-weight: 600;
        font-size: 16px;
        padding: 6px 0;
      }
      th,
      td {
        border-block-end: 1px solid var(--of-color-border-soft, #e5e7eb);
        padding: 5px 8px;
        text-align: start;
        vertical-align: top;
      }
      th {
        background: var(--of-color-surface-alt, #f9fafb);
        font-size: 13px;
      }
      .state-failed {
        color: var(--of-color-danger, #b91c1c);
        font-weight: 600;
      }
      .state-held {
        color: var(--of-color-warning-text, #92400e);
      }
      .err {
        color: #7f1d1d;
        font-size: 12px;
        max-width: 28em;
        overflow-wrap: anywhere;
      }
    `,
  ];

  constructor() {
    super();
    this.i18n = new Strings(this);
    this.workflows = {};
    this.state = '';
    this.rows = [];
    this.total = 0;
    this.transports = [];
    this.loading = false;
    this.problem = '';
    this.message = '';
  }

  updated(changed) {
    if (changed.has('api') && this.api) this.load();
  }

  async load() {
    this.loading = true;
    this.problem = '';
    try {
      const r = await this.api.notifications({ state: this.state, per_page: 100 });
      this.rows = r.notifications;
      this.total = r.total;
      this.transports = r.transports;
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
      this.message = this.i18n.t('notificationQueued', { id: n.id });
    } catch (e) {
      this.problem = e.message;
    }
    await this.load();
  }

  render() {
    const tt = (k, p) => this.i18n.t(k, p);
    const word = (prefix, v) => (v ? tt(`${prefix}.${v}`) : '');
    return html` <div class="row">
        <label for="state">${tt('notifState')}</label>
        <select
          id="state"
          @change=${(e) => {
            this.state = e.target.value;
            this.load();
          }}
        >
          <option value="">${tt('notifAll')}</option>
          ${STATES.map((s) => html`<option value=${s} ?selected=${s === this.state}>${word('notifState', s)}</option>`)}
        </select>
        <button @click=${() => this.load()} ?disabled=${this.loading}>${tt('refresh')}</button>
        <span class="hint"
          >${
            this.transports.length
              ? tt('transports', { list: this.transports.map((x) => word('transport', x)).join(', ') })
              : tt('noTransport')
          }</span
        >
      </div>
      ${this.problem ? html`<of-alert kind="error" .message=${this.problem}></of-alert>` : nothing}
      ${this.message ? html`<of-alert kind="success" .message=${this.message}></of-alert>` : nothing}
      <div class="wrap">
        <table aria-busy=${this.loading ? 'true' : 'false'}>
          <caption>
            ${tt('nNotifications', { n: this.total })}
          </caption>
          <thead>
            <tr>
              <th scope="col">${tt('colNumber')}</th>
              <th scope="col">${tt('colKind')}</th>
              <th scope="col">${tt('colWorkflow')}</th>
              <th scope="col">${tt('colOrders')}</th>
              <th scope="col">${tt('colState')}</th>
              <th scope="col">${tt('colAttempts')}</th>
              <th scope="col">${tt('colLastError')}</th>
              <th scope="col">${tt('colCreated')}</th>
              <th scope="col"><span class="sr-only">${tt('colActions')}</span></th>
            </tr>
          </thead>
          <tbody>
            ${this.rows.map(
              (n) =>
                html`<tr data-state=${n.state}>
                  <td>${n.id}</td>
                  <td>${word('notifKind', n.kind)}</td>
                  <td>${this.workflows?.[n.workflow]?.name ?? n.workflow ?? ''}</td>
                  <td>${this.i18n.number(n.order_count)}</td>
                  <td class="state-${n.state}">${word('notifState', n.state)}</td>
                  <td>${this.i18n.number(n.attempts)}</td>
                  <td class="err">${n.last_error ?? ''}</td>
                  <td>${n.created_at ? html`<time datetime=${n.created_at}>${this.i18n.date(n.created_at)}</time>` : ''}</td>
                  <td>
                    ${
                      n.state === 'failed' || (n.state === 'held' && this.transports.length)
                        ? html`<button aria-label=${tt('retryNotification', { id: n.id })} @click=${() => this.#retry(n)}>
                            ${tt('retry')}
                          </button>`
                        : nothing
                    }
                  </td>
                </tr>`,
            )}
            ${
              this.rows.length === 0 && !this.loading
                ? html`<tr>
                    <td colspan="9">
                      ${this.state ? tt('noNotificationsIn', { state: word('notifState', this.state) }) : tt('noNotifications')}
                    </td>
                  </tr>`
                : nothing
            }
          </tbody>
        </table>
      </div>`;
  }
}
customElements.define('of-notifications-view', OfNotificationsView);
