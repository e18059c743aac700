import { LitElement, html, css, nothing } from 'lit';
import { base } from './shared-styles.js';
import { trapTab } from './focus-trap.js';
import { renderFields } from './fields.js';
import { engineValues } from '../rules.js';
import './of-alert.js';

const FIELD_CODES = new Set(['missing_field', 'invalid_field']);

/**
 * <of-bulk-dialog .open .orders .rules .phase .progress .results .problem>
 * Bulk status update: the count, the new status, the fields it needs (asked once), and before
 * submitting how many orders can move and why the others cannot (grouped reasons from the
 * engine's planBulk). While running: a progress bar. At the end: per-order results and
 * `Retry failed`. Fires `of-bulk-run` {to, values, ids}, `of-bulk-retry`, `of-dismiss`.
 */
export class OfBulkDialog extends LitElement {
  static properties = {
    open: { type: Boolean },
    orders: { attribute: false },
    rules: { attribute: false },
    phase: {},          // 'form' | 'running' | 'done'
    progress: { attribute: false }, // {done, total}
    results: { attribute: false },  // [{id, ok, message?, errors?}]
    problem: { attribute: false },
    to: { state: true },
    values: { state: true },
  };
  static styles = [base, css`
    dialog { width: 640px; }
    .summary { margin: 10px 0; }
    .groups { list-style: none; padding: 0; margin: 6px 0; max-height: 180px; overflow: auto; }
    .groups li { border-left: 3px solid #d97706; padding: 4px 8px; margin-bottom: 6px; background: #fffbeb; }
    .ids { color: #4b5563; font-size: 12px; overflow-wrap: anywhere; }
    progress { width: 100%; height: 16px; }
    .results { max-height: 260px; overflow: auto; border: 1px solid #e5e7eb; border-radius: 6px; margin-top: 8px; }
    .results table { width: 100%; border-collapse: collapse; font-size: 13px; }
    .results td, .results th { padding: 3px 8px; border-bottom: 1px solid #f3f4f6; text-align: left; }
    .results tr { content-visibility: auto; contain-intrinsic-size: auto 24px; }
    .ok { color: #047857; font-weight: 600; } .bad { color: #b91c1c; font-weight: 600; }
  `];

  constructor() {
    super();
    this.open = false; this.orders = []; this.phase = 'form'; this.progress = { done: 0, total: 0 };
    this.results = []; this.to = ''; this.values = {}; this._lastClick = 0;
  }

  willUpdate(changed) {
    if (changed.has('open') && this.open && this.phase === 'form') { this.to = ''; this.values = {}; }
    if (changed.has('to') || changed.has('orders') || changed.has('open')) this._needed = null;
  }

  updated() {
    const dlg = this.renderRoot.querySelector('dialog');
    if (!dlg) return;
    if (this.open && !dlg.open) { dlg.showModal(); this.renderRoot.querySelector('#bulk-status')?.focus(); }
    else if (!this.open && dlg.open) dlg.close();
    if (this.phase === 'done' && this._focusResults) { this._focusResults = false; this.renderRoot.querySelector('#results-title')?.focus(); }
  }

  #fire(name, detail) { this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true })); }

  /** Fields for this target: required ones the engine names for these orders, plus optional ones. */
  #fields() {
    if (!this.to) return [];
    if (this._needed) return this._needed;
    const req = new Set();
    const opt = new Set();
    const bare = this.rules.planBulk(this.orders, this.to, {});
    for (const b of bare.blocked ?? []) for (const e of b.errors) if (e.code === 'missing_field' && e.field) req.add(e.field);
    const seen = new Set();
    for (const o of this.orders) {
      const k = `${o.status}|${o.store_id}`;
      if (seen.has(k)) continue;
      seen.add(k);
      const opt1 = this.rules.allowed(o).find((x) => x.id === this.to);
      for (const f of opt1?.requires ?? []) req.add(f);
      for (const f of opt1?.optional ?? []) opt.add(f);
    }
    this._needed = [...[...req].map((f) => ({ def: this.rules.field(f), required: true })),
      ...[...opt].filter((f) => !req.has(f)).map((f) => ({ def: this.rules.field(f), required: false }))];
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
    this.#fire('of-bulk-run', { to: this.to, values: { ...this.values }, ids: [...plan.eligible] });
  }

  #cancel(e) { e.preventDefault(); if (this.phase !== 'running') this.#fire('of-dismiss', {}); }

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
    const shown = ids.slice(0, 15).map((i) => `#${i}`).join(', ');
    return ids.length > 15 ? `${shown} and ${ids.length - 15} more` : shown;
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
          seen.add(`${e.field}|${e.message}`); fieldErrs.push(e);
        }
      }
    }
    const groups = plan ? this.#groups(plan.blocked) : [];
    const elig = plan?.eligible.length ?? 0;
    return html`
      <div class="dialog-body">
        <h2 id="bulk-title">Update Status of ${n} selected order${n === 1 ? '' : 's'}</h2>
        <label for="bulk-status">New status</label>
        <select id="bulk-status" @change=${(e) => { this.to = e.target.value; }}>
          <option value="" ?selected=${!this.to}>Choose a status…</option>
          ${targets.map((s) => html`<option value=${s.id} ?selected=${s.id === this.to}>${s.label}</option>`)}
        </select>
        ${renderFields({ fields, values: this.values, errors: fieldErrs, onInput: (id, x) => { this.values = { ...this.values, [id]: x }; }, prefix: 'bf' })}
        ${plan ? html`<div class="summary" role="status" aria-live="polite">
          <strong data-testid="eligible-count">${elig} of ${n}</strong> can move to ${targets.find((s) => s.id === this.to)?.label}.
          ${plan.blocked.length ? html`<span data-testid="blocked-count">${plan.blocked.length}</span> cannot:` : ''}
        </div>
        ${groups.length ? html`<ul class="groups" aria-label="Why some orders cannot move">${groups.map((g) => html`<li>
            <div><strong>${g.ids.length} order${g.ids.length === 1 ? '' : 's'}:</strong> ${g.messages.join(' ')}</div>
            <div class="ids">${this.#ids(g.ids)}</div></li>`)}</ul>` : nothing}` : nothing}
        ${this.problem ? html`<of-alert kind="error" .message=${this.problem.message} .actions=${this.problem.actions ?? []}></of-alert>` : nothing}
      </div>
      <div class="dialog-actions">
        <button type="button" @click=${() => this.#fire('of-dismiss', {})}>Cancel</button>
        <button type="button" class="primary" ?disabled=${!elig || fieldErrs.length > 0}
          @click=${() => this.#run(plan, fieldErrs)}>Confirm</button>
      </div>`;
  }

  #running() {
    const { done = 0, total = 0 } = this.progress ?? {};
    return html`<div class="dialog-body">
        <h2 id="bulk-title">Updating ${total} orders…</h2>
        <progress aria-label="Bulk update progress" max=${total || 1} .value=${done}></progress>
        <p role="status" aria-live="polite" data-testid="bulk-progress">${done} of ${total} orders processed</p>
      </div>
      <div class="dialog-actions"><button type="button" disabled>Close</button></div>`;
  }

  #done() {
    const res = this.results ?? [];
    const ok = res.filter((r) => r.ok).length;
    const failed = res.filter((r) => !r.ok);
    return html`<div class="dialog-body">
        <h2 id="bulk-title">Bulk update finished</h2>
        <progress aria-label="Bulk update progress" max=${res.length || 1} .value=${res.length}></progress>
        <of-alert kind=${failed.length ? 'warning' : 'success'}
          .message=${`${ok} updated, ${failed.length} failed.`}></of-alert>
        <h3 id="results-title" tabindex="-1" style="font-size:15px;margin:10px 0 4px">Results</h3>
        <div class="results"><table aria-labelledby="results-title" data-testid="bulk-results">
          <thead><tr><th>Order</th><th>Result</th><th>Reason</th></tr></thead>
          <tbody>${[...failed, ...res.filter((r) => r.ok)].map((r) => html`<tr data-order-id=${r.id}><td>#${r.id}</td>
            <td class=${r.ok ? 'ok' : 'bad'}>${r.ok ? 'Updated' : 'Failed'}</td>
            <td>${r.ok ? '' : r.message}</td></tr>`)}</tbody>
        </table></div>
      </div>
      <div class="dialog-actions">
        ${failed.length ? html`<button type="button" class="primary" @click=${() => this.#fire('of-bulk-retry', {})}>Retry failed</button>` : nothing}
        <button type="button" @click=${() => this.#fire('of-dismiss', {})}>Close</button>
      </div>`;
  }

  render() {
    if (!this.rules || !this.open) return html`<dialog></dialog>`;
    if (this.phase === 'done' && this._lastPhase !== 'done') this._focusResults = true;
    this._lastPhase = this.phase;
    return html`<dialog aria-labelledby="bulk-title" @cancel=${this.#cancel} @keydown=${trapTab}>
      ${this.phase === 'running' ? this.#running() : this.phase === 'done' ? this.#done() : this.#form()}
    </dialog>`;
  }
}
customElements.define('of-bulk-dialog', OfBulkDialog);
