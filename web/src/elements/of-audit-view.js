// Admin view of the audit trail of refused change attempts (GET /api/v1/audit), with filters by
// user, order and code. Property `api`: an AdminApi; `workflows`: the workflow documents by id,
// for status labels and the workflow's own message of a guard code. Codes read as plain words
// (the workflow's message where it has one, else the string table), the code beside them for the
// admin; times through Intl in the page's language.
import { LitElement, html, css, nothing } from 'lit';
import { base } from './shared-styles.js';
import { Strings } from '../i18n/index.js';
import '../i18n/admin.js'; // this view's words (English, German)
import './of-alert.js';

export class OfAuditView extends LitElement {
  static properties = {
    api: { attribute: false },
    workflows: { attribute: false },
    entries: { state: true },
    loading: { state: true },
    problem: { state: true },
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
      form {
        display: flex;
        gap: 10px;
        align-items: end;
        flex-wrap: wrap;
      }
      form label {
        margin: 0 0 2px;
      }
      table {
        border-collapse: collapse;
        width: 100%;
        background: var(--of-color-surface, #fff);
        margin-block-start: 8px;
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
      code {
        color: var(--of-color-muted, #4b5563);
        font-size: 12px;
      }
    `,
  ];

  constructor() {
    super();
    this.i18n = new Strings(this);
    this.workflows = {};
    this.entries = [];
    this.loading = false;
    this.problem = '';
    this.filter = {};
  }

  updated(changed) {
    if (changed.has('api') && this.api) this.load();
  }

  async load() {
    this.loading = true;
    this.problem = '';
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

  /** A refusal code in words: the workflow's guard message, else the string table; null when neither knows it. */
  #why(workflow, code) {
    const guard = this.workflows?.[workflow]?.guards?.find((g) => g.code === code);
    if (guard?.message) return guard.message;
    const w = this.i18n.t(`refusal.${code}`);
    return w === `refusal.${code}` ? null : w;
  }

  #status(workflow, id) {
    return this.workflows?.[workflow]?.statuses?.find((s) => s.id === id)?.label ?? id ?? '';
  }

  render() {
    const tt = (k, p) => this.i18n.t(k, p);
    return html` <form @submit=${this.#apply}>
        <div><label for="username">${tt('auditUser')}</label><input id="username" name="username" size="12" /></div>
        <div><label for="order_id">${tt('auditOrder')}</label><input id="order_id" name="order_id" size="8" inputmode="numeric" /></div>
        <div><label for="code">${tt('auditCode')}</label><input id="code" name="code" size="16" /></div>
        <button type="submit" ?disabled=${this.loading}>${tt('applyFilters')}</button>
      </form>
      ${this.problem ? html`<of-alert kind="error" .message=${this.problem}></of-alert>` : nothing}
      <div class="wrap">
        <table aria-busy=${this.loading ? 'true' : 'false'}>
          <caption>
            ${tt('refusedAttempts')}
          </caption>
          <thead>
            <tr>
              <th scope="col">${tt('colWhen')}</th>
              <th scope="col">${tt('colUser')}</th>
              <th scope="col">${tt('colWorkflow')}</th>
              <th scope="col">${tt('colOrder')}</th>
              <th scope="col">${tt('colTarget')}</th>
              <th scope="col">${tt('colHttp')}</th>
              <th scope="col">${tt('colWhy')}</th>
              <th scope="col">${tt('colSource')}</th>
            </tr>
          </thead>
          <tbody>
            ${this.entries.map(
              (e) =>
                html`<tr>
                  <td><time datetime=${e.at}>${this.i18n.date(e.at)}</time></td>
                  <td>${e.username}</td>
                  <td>${this.workflows?.[e.workflow]?.name ?? e.workflow}</td>
                  <td>${e.order_id ?? ''}</td>
                  <td>${e.target_status ? this.#status(e.workflow, e.target_status) : ''}</td>
                  <td>${e.http_status}</td>
                  <td>
                    ${e.codes.map((c, i) => {
                      const w = this.#why(e.workflow, c);
                      return html`${i ? html`<br />` : nothing}${w ?? ''} <code>${c}</code>`;
                    })}
                  </td>
                  <td>${e.source ? tt(`source.${e.source}`) : ''}</td>
                </tr>`,
            )}
            ${
              this.entries.length === 0 && !this.loading
                ? html`<tr>
                    <td colspan="8">${tt('noRefusals')}</td>
                  </tr>`
                : nothing
            }
          </tbody>
        </table>
      </div>`;
  }
}
customElements.define('of-audit-view', OfAuditView);
