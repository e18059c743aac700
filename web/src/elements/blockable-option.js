import { html, nothing } from 'lit';

/**
 * An engine option (`allowed`) as an <option>, for the status dropdown and the detail form. One the
 * engine marks `blocked` (a guard refuses this order) stays listed, so staff see it exists and why
 * it cannot be picked now: disabled, "<status> (unavailable)", with the engine's reason as its
 * title (its accessible description).
 */
export function blockableOption(o, i18n, selected = false) {
  const text = o.blocked ? i18n.t('unavailable', { status: o.label }) : o.label;
  return html`<option value=${o.id} ?selected=${selected} ?disabled=${!!o.blocked} title=${o.blocked?.message ?? nothing}>${text}</option>`;
}
