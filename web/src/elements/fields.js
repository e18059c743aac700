// Renders the inputs a transition asks for, from the workflow's field definitions (labels,
// types, limits and choices all come from the engine). Used inside an element's shadow root.
import { html, nothing } from 'lit';
import { live } from 'lit/directives/live.js';

function choiceValues(def) {
  return (def.values ?? []).map((v) =>
    typeof v === 'object' && v !== null
      ? { id: String(v.id ?? v.value), label: String(v.label ?? v.id ?? v.value) }
      : { id: String(v), label: String(v) },
  );
}

/**
 * @param {object} o
 * @param {Array<{def, required}>} o.fields
 * @param {object} o.values         current values by field id
 * @param {Array} o.errors          engine errors; those with `field` are shown under the field
 * @param {(id, value) => void} o.onInput
 * @param {string} o.prefix         id prefix, unique inside the shadow root
 * @param {boolean} o.disabled
 * @param {string} o.optional      the words after an optional field's label
 */
export function renderFields({ fields, values, errors, onInput, prefix, disabled = false, optional = '(optional)' }) {
  return fields.map(({ def, required }) => {
    const id = `${prefix}-${def.id}`;
    const errs = (errors ?? []).filter((e) => e.field === def.id);
    const errId = `${id}-err`;
    const value = values[def.id] ?? '';
    const label = html`${def.label ?? def.id}${required ? html` <span aria-hidden="true">*</span>` : html` <span class="hint">${optional}</span>`}`;
    const max = def.maxLength ?? def.max_length;
    let control;
    if (def.type === 'choice') {
      control = html`<select
        id=${id}
        ?required=${required}
        ?disabled=${disabled}
        aria-invalid=${errs.length ? 'true' : 'false'}
        aria-describedby=${errs.length ? errId : nothing}
        .value=${live(value)}
        @change=${(e) => onInput(def.id, e.target.value)}
      >
        <option value="">—</option>
        ${choiceValues(def).map((c) => html`<option value=${c.id} ?selected=${c.id === value}>${c.label}</option>`)}
      </select>`;
    } else if (!max || max > 160) {
      control = html`<textarea
        id=${id}
        ?required=${required}
        ?disabled=${disabled}
        aria-invalid=${errs.length ? 'true' : 'false'}
        aria-describedby=${errs.length ? errId : nothing}
        .value=${live(value)}
        @input=${(e) => onInput(def.id, e.target.value)}
      ></textarea>`;
    } else {
      control = html`<input
        id=${id}
        type="text"
        ?required=${required}
        ?disabled=${disabled}
        aria-invalid=${errs.length ? 'true' : 'false'}
        aria-describedby=${errs.length ? errId : nothing}
        .value=${live(value)}
        @input=${(e) => onInput(def.id, e.target.value)}
      />`;
    }
    return html`<div class="field">
      <label for=${id}>${label}</label>
      ${control} ${max ? html`<div class="hint">${String(value).length} / ${max}</div>` : nothing}
      ${errs.length ? html`<div class="field-error" id=${errId}>${errs.map((e) => html`<div>${e.message}</div>`)}</div>` : nothing}
    </div>`;
  });
}

/** The field list of an engine option: required ones first, then optional (notes). */
export function optionFields(option, rules) {
  if (!option) return [];
  const req = option.requires ?? [];
  const opt = (option.optional ?? []).filter((f) => !req.includes(f));
  return [...req.map((f) => ({ def: rules.field(f), required: true })), ...opt.map((f) => ({ def: rules.field(f), required: false }))];
}
