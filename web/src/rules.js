// The UI's only window onto the rules: a thin wrapper around the orderflow module's Workflow.
// It adds caching (allowed options per distinct order shape) and nothing else: every status,
// label, colour, option, required field and refusal message comes from the engine.
import { createOrderFlow } from 'orderflow';

let flowPromise = null;
export function loadFlow() {
  flowPromise ??= createOrderFlow();
  return flowPromise;
}

export class Rules {
  /** @param {object} wf  a module Workflow  @param {object} actor {role, stores} */
  constructor(wf, actor) {
    this.wf = wf;
    this.actor = actor;
    this.statuses = wf.statuses;
    this.fields = wf.fields;
    this.transitions = wf.transitions;
    this.statusById = new Map(this.statuses.map((s) => [s.id, s]));
    this.fieldById = new Map(this.fields.map((f) => [f.id, f]));
    this.allowedCache = new Map();
    // The order fields the workflow's guards read (an option's `blocked` depends on them).
    this.guardFields = (wf.document?.guards ?? []).map((g) => g.field);
    this.normCache = new Map();
    // Whether the workflow marks this actor's role read-only (its data, read here for the view).
    this.readOnly = !!wf.roles?.find((r) => r.id === actor?.role)?.readOnly;
    // Action labels the workflow uses for more than one target ("Next"): a button needs the target too.
    const targets = new Map();
    for (const e of wf.edges ?? []) if (e.action) (targets.get(e.action) ?? targets.set(e.action, new Set()).get(e.action)).add(e.to);
    this.ambiguousActions = new Set([...targets].filter(([, t]) => t.size > 1).map(([a]) => a));
  }

  actionIsAmbiguous(action) {
    return this.ambiguousActions.has(action);
  }

  /** The current status object of a stored value (aliases read through the engine). */
  status(value) {
    let s = this.statusById.get(value);
    if (s) return s;
    if (!this.normCache.has(value)) {
      const n = this.wf.normalize(value);
      this.normCache.set(value, n?.ok ? (this.statusById.get(n.status) ?? null) : null);
    }
    return this.normCache.get(value) ?? { id: value, label: String(value), color: '', terminal: false, unknown: true };
  }

  // What allowed reads of an order (status, store, items, the guards' fields: an items guard adds
  // an undefined one), as JSON, as the engine reads it; an order JSON cannot write (a BigInt, a
  // cycle) is its own key, and the engine says what is wrong with it.
  #key(order) {
    try {
      return JSON.stringify([order.status, order.store_id, order.items, ...this.guardFields.map((f) => order[f])]);
    } catch {
      return order;
    }
  }

  /**
   * Options this actor may pick for this order, each `blocked` with the engine's reason when its
   * guards refuse this order (cached per distinct status/store/guard fields/items).
   */
  allowed(order) {
    const k = this.#key(order);
    let opts = this.allowedCache.get(k);
    if (!opts) {
      // Keys carry the items, so most orders with items have their own: bounded, emptied when full.
      if (this.allowedCache.size >= 5000) this.allowedCache.clear();
      opts = this.wf.allowed(order, this.actor);
      this.allowedCache.set(k, opts);
    }
    return opts;
  }

  /** {ok, errors} for moving `order` to `to` with these field values (notes included). */
  check(order, to, values) {
    return this.wf.check(order, to, values ?? {}, this.actor);
  }

  planBulk(orders, to, values) {
    return this.wf.planBulk(orders, to, values ?? {}, this.actor);
  }

  field(id) {
    return this.fieldById.get(id) ?? { id, label: id, type: 'text' };
  }

  /** Statuses some transition leads to: the targets a bulk update may pick. */
  targets() {
    const to = new Set();
    for (const t of this.transitions) to.add(t.to);
    return this.statuses.filter((s) => to.has(s.id));
  }

  /**
   * Why this actor may change nothing about this order, in the workflow's words (the engine's
   * `options` reason: a final status, a read-only role, a store not theirs, ...), or ''.
   */
  noChangeReason(order) {
    if (!order) return '';
    return this.wf.options(order, this.actor).reason?.message ?? '';
  }

  /** Field ids a change into `to` requires from orders stored with any of `statuses`. */
  requiredFields(to, statuses) {
    return this.wf.requiredFields(to, statuses);
  }
}

/** Splits form values into the PUT's notes and fields. */
export function splitValues(values) {
  const fields = {};
  let notes = '';
  for (const [k, v] of Object.entries(values ?? {})) {
    if (v === undefined || v === null || v === '') continue;
    if (k === 'notes') notes = v;
    else fields[k] = v;
  }
  return { notes, fields };
}

/** The values object the engine checks: fields plus notes. */
export function engineValues(values) {
  const { notes, fields } = splitValues(values);
  return notes ? { ...fields, notes } : fields;
}
