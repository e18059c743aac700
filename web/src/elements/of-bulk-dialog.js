import { LitElement, html, css, nothing } from 'lit';
import { base } from './shared-styles.js';
import { trapTab } from './focus-trap.js';
import { renderFields } from './fields.js';
import { engineValues } from '../rules.js';
import { Strings } from '../i18n/index.js';
import './of-alert.js';

const FIELD_CODES = new Set(['missing_field', 'invalid_field']);

/**
 * <of-bulk-dialog .open .orders .rules .phase .progress .results .problem>
 * Bulk status update: the count, the new status, the fields it needs (asked once), and before
 * submitting how many orders can move and why the others cannot (grouped reasons from the
 * engine's planBulk). While running: a progress bar. At the end: per-order results (updated,
 * failed, and skipped: the orders the engine refused before sending) and `Retry failed` for the
 * failures a retry could fix (`retryable` on the result). Fires `of-bulk-run`
 * {to, values, ids, skipped: [{id, errors}]}, `of-bulk-retry`, `of-dismiss`.
 * @csspart dialog - The <dialog>
 * @csspart primary-button - The Confirm button
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
 * @cssprop [--of-badge-radius=999px] - Status badge corners
 * @cssprop [--of-space=8px] - Spacing unit
 */
export class OfBulkDialog extends LitElement {
  static properties = {
    open: { type: Boolean },
    orders: { attribute: false },
    rules: { attribute: false },
    phase: {}, // 'form' | 'running' | 'done'
    progress: { attribute: false }, // {done, total}
    results: { attribute: false }, // [{id, ok, message?, errors?}]
    problem: { attribute: false },
    to: { state: true },
    values: { state: true },
  };
  static styles = [
    base,
    css`
      dialog {
        width: 640px;
      }
      .summary {
        margin: 10px 0;
      }
      .groups {
        list-style: none;
        padding: 0;
        margin: 6px 0;
        max-height: 180px;
        overflow: auto;
      }
      .groups li {
        border-inline-start: 3px solid #d97706;
        padding: 4px 8px;
        margin-block-end: 6px;
        background: #fffbeb;
      }
      .ids {
        color: #4b5563;
        font-size: 12px;
        overflow-wrap: anywhere;
      }
      progress {
        width: 100%;
        height: 16px;
      }
      .results {
        max-height: 260px;
        overflow: auto;
        border: 1px solid #e5e7eb;
        border-radius: 6px;
        margin-block-start: 8px;
      }
      .results table {
        width: 100%;
        border-collapse: collapse;
        font-size: 13px;
      }
      .results td,
      .results th {
        padding: 3px 8px;
        border-block-end: 1px solid #f3f4f6;
        text-align: start;
      }
      .results tr {
        content-visibility: auto;
        contain-intrinsic-size: auto 24px;
      }
      .ok {
        color: #047857;
        font-weight: 600;
      }
      .bad {
        color: #b91c1c;
        font-weight: 600;
      }
      .skip {
        color: #92400e;
        font-weight: 600;
      }
    `,
  ];

  constructor() {
    super();
    this.open = false;
    this.orders = [];
    this.phase = 'form';
    this.progress = { done: 0, total: 0 };
    this.results = [];
    this.to = '';
    this.values = {};
    this._lastClick = 0;
    this.i18n = new Strings(this);
  }

  willUpdate(changed) {
    if (changed.has('open') && this.open && this.phase === 'form') {
      this.to = '';
      this.values = {};
      this._lastClick = 0;
    }
    if (changed.has('to') || changed.has('orders') || changed.has('open')) this._needed = null;
  }

  updated() {
    const dlg = this.renderRoot.querySelector('dialog');
    if (!dlg) return;
    if (this.open && !dlg.open) {
      dlg.showModal();
      this.renderRoot.querySelector('#bulk-status')?.focus();
    } else if (!this.open && dlg.open) dlg.close();
    if (this.phase === 'done' && this._focusResults) {
      this._focusResults = false;
      this.renderRoot.querySelector('#results-title')?.focus();
    }
  }

  #fire(name, detail) {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }

  /** Fields for this target: the ones the engine requires for these orders' statuses, plus optional ones. */
  #fields() {
    if (!this.to) return [];
    if (this._needed) return this._needed;
    const statuses = new Set();
    for (const o of this.orders) if (typeof o.status === 'string') statuses.add(o.status);
    const req = new Set(this.rules.requiredFields(this.to, [...statuses]));
    const opt = new Set();
    const seen = new Set();
    for (const o of this.orders) {
      const k = `${o.status}|${o.store_id}`;
      if (seen.has(k)) continue;
      seen.add(k);
      const opt1 = this.rules.allowed(o).find((x) => x.id === this.to);
      for (const f of opt1?.optional ?? []) opt.add(f);
    }
    this._needed = [
      ...[...req].map((f) => ({ def: this.rules.field(f), required: true })),
      ...[...opt].filter((f) => !req.has(f)).map((f) => ({ def: this.rules.field(f), required: false })),
    ];
    return this._needed;
  }

  #plan() {
    if (!this.to) return null;
    return this.rules.planBulk(this.orders, this.to, engineValues(this.values));
  }

  #run(plan, fieldErrors) {
    const now = Date.now();
    if (now - this._lastClick < 400) return;
    this._lastClick = now;
    if (!plan || !plan.eligible.length || fieldErrors.length) return;
    this.#fire('of-bulk-run', {
      to: this.to,
      values: { ...this.values },
      ids: [...plan.eligible],
      skipped: plan.blocked.map((b) => ({ id: b.id, errors: [...b.errors] })),
    });
  }

  #cancel(e) {
    e.preventDefault();
    if (this.phase !== 'running') this.#fire('of-dismiss', {});
  }

  #groups(blocked) {
    const groups = new Map();
    for (const b of blocked) {
      const key = b.errors.map((e) => e.message).join('\n');
      if (!groups.has(key)) groups.set(key, { messages: b.errors.map((e) => e.message), ids: [] });
      groups.get(key).ids.push(b.id);
    }
    return [...groups.values()].sort((a, b) => b.ids.length - a.ids.length);
  }

  #ids(ids) {
    const shown = ids
      .slice(0, 15)
      .map((i) => `#${i}`)
      .join(', ');
    return ids.length > 15 ? this.i18n.t('andMore', { shown, more: ids.length - 15 }) : shown;
  }

  #form() {
    const n = this.orders.length;
    const targets = this.rules.targets();
    const plan = this.#plan();
    const fields = this.#fields();
    const fieldIds = new Set(fields.map((f) => f.def.id));
    const fieldErrs = [];
    const seen = new Set();
    for (const b of plan?.blocked ?? []) {
      for (const e of b.errors) {
        if (FIELD_CODES.has(e.code) && fieldIds.has(e.field) && !seen.has(`${e.field}|${e.message}`)) {
          seen.add(`${e.field}|${e.message}`);
          fieldErrs.push(e);
        }
      }
    }
    const groups = plan ? this.#groups(plan.blocked) : [];
    const elig = plan?.eligible.length ?? 0;
    const t = (k, p) => this.i18n.t(k, p);
    return html` <div class="dialog-body">
        <h2 id="bulk-title">${t('bulkTitle', { n })}</h2>
        <label for="bulk-status">${t('newStatus')}</label>
        <select
          id="bulk-status"
          @change=${(e) => {
            this.to = e.target.value;
          }}
        >
          <option value="" ?selected=${!this.to}>${t('chooseStatus')}</option>
          ${targets.map((s) => html`<option value=${s.id} ?selected=${s.id === this.to}>${s.label}</option>`)}
        </select>
        ${renderFields({
          fields,
          values: this.values,
          errors: fieldErrs,
          onInput: (id, x) => {
            this.values = { ...this.values, [id]: x };
          },
          prefix: 'bf',
          optional: t('optional'),
        })}
        ${
          plan
            ? html`<div class="summary" role="status" aria-live="polite">
                  <strong data-testid="eligible-count">${t('nOfTotal', { n: elig, total: n })}</strong>
                  ${t('canMoveTo', { status: targets.find((s) => s.id === this.to)?.label })}
                  ${plan.blocked.length ? html`<span data-testid="blocked-count">${this.i18n.number(plan.blocked.length)}</span> ${t('cannot')}` : ''}
                </div>
                ${
                  groups.length
                    ? html`<ul class="groups" aria-label=${t('whyNot')}>
                        ${groups.map(
                          (g) =>
                            html`<li>
                              <div><strong>${t('nOrdersColon', { n: g.ids.length })}</strong> ${g.messages.join(' ')}</div>
                              <div class="ids">${this.#ids(g.ids)}</div>
                            </li>`,
                        )}
                      </ul>`
                    : nothing
                }`
            : nothing
        }
        ${this.problem ? html`<of-alert kind="error" .message=${this.problem.message} .actions=${this.problem.actions ?? []}></of-alert>` : nothing}
      </div>
      <div class="dialog-actions">
        <button type="button" @click=${() => this.#fire('of-dismiss', {})}>${t('cancel')}</button>
        <button
          type="button"
          class="primary"
          part="primary-button"
          ?disabled=${!elig || fieldErrs.length > 0}
          @click=${() => this.#run(plan, fieldErrs)}
        >
          ${t('confirm')}
        </button>
      </div>`;
  }

  #running() {
    const { done = 0, total = 0 } = this.progress ?? {};
    const t = (k, p) => this.i18n.t(k, p);
    return html`<div class="dialog-body">
        <h2 id="bulk-title">${t('updating', { n: total })}</h2>
        <progress aria-label=${t('bulkProgress')} max=${total || 1} .value=${done}></progress>
        <p role="status" aria-live="polite" data-testid="bulk-progress">${t('processed', { done, total })}</p>
      </div>
      <div class="dialog-actions"><button type="button" disabled>${t('close')}</button></div>`;
  }

  #done() {
    const t = (k, p) => this.i18n.t(k, p);
    const res = this.results ?? [];
    const ok = res.filter((r) => r.ok).length;
    const skipped = res.filter((r) => r.skipped);
    const failed = res.filter((r) => !r.ok && !r.skipped);
    const canRetry = failed.filter((r) => r.retryable).length;
    const word = (r) => (r.ok ? ['ok', t('resUpdated')] : r.skipped ? ['skip', t('resSkipped')] : ['bad', t('resFailed')]);
    return html`<div class="dialog-body">
        <h2 id="bulk-title">${t('bulkDone')}</h2>
        <progress aria-label=${t('bulkProgress')} max=${res.length || 1} .value=${res.length}></progress>
        <of-alert
          kind=${failed.length || skipped.length ? 'warning' : 'success'}
          .message=${t('bulkSummary', { ok, failed: failed.length, skipped: skipped.length })}
        ></of-alert>
        <h3 id="results-title" tabindex="-1" style="font-size:1.07em;margin:10px 0 4px">${t('results')}</h3>
        <div class="results">
          <table aria-labelledby="results-title" data-testid="bulk-results">
            <thead>
              <tr>
                <th>${t('colOrder')}</th>
                <th>${t('colResult')}</th>
                <th>${t('colReason')}</th>
              </tr>
            </thead>
            <tbody>
              ${[...failed, ...skipped, ...res.filter((r) => r.ok)].map(
                (r) =>
                  html`<tr data-order-id=${r.id}>
                    <td>#${r.id}</td>
                    <td class=${word(r)[0]}>${word(r)[1]}</td>
                    <td>${r.ok ? '' : r.message}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>
      </div>
      <div class="dialog-actions">
        ${canRetry ? html`<button type="button" class="primary" @click=${() => this.#fire('of-bulk-retry', {})}>${t('retryFailed', { n: canRetry })}</button>` : nothing}
        <button type="button" @click=${() => this.#fire('of-dismiss', {})}>${t('close')}</button>
      </div>`;
  }

  render() {
    if (!this.rules || !this.open) return html`<dialog></dialog>`;
    if (this.phase === 'done' && this._lastPhase !== 'done') this._focusResults = true;
    this._lastPhase = this.phase;
    return html`<dialog part="dialog" aria-labelledby="bulk-title" @cancel=${this.#cancel} @keydown=${trapTab}>
      ${this.phase === 'running' ? this.#running() : this.phase === 'done' ? this.#done() : this.#form()}
    </dialog>`;
  }
}
customElements.define('of-bulk-dialog', OfBulkDialog);
