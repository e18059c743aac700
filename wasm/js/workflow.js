// One loaded workflow (the public Workflow class): its data, the engine handle behind it, and the
// questions it answers (normalize, allowed, check, planBulk), each one call into the engine. No
// workflow rule lives here: every verdict and message comes from the engine (core/).
import {
  OrderflowError,
  deepFreeze,
  describe,
  parseAnswer,
  toJson,
  requireString,
  fieldsJson,
  actorJson,
  tooLarge,
  MAX_ARGUMENT_UNITS,
} from './args.js';
import { readOrder } from './order.js';
import { BAD_VERDICT, Columns, marshal, marshalNone, allBelow, collectAll, prototypesPolluted } from './columns.js';
import { planColumns } from './batch.js';

// ---- Workflow --------------------------------------------------------------------------------

// A workflow's handle in the engine, kept apart from the Workflow so that the finalizer (which
// must not reach the Workflow) can release it. `generation`: the engine instance it lives in.
const registry = typeof FinalizationRegistry === 'function' ? new FinalizationRegistry((cell) => releaseCell(cell)) : null;

function releaseCell(cell) {
  const { engine } = cell;
  if (cell.disposed) return;
  cell.disposed = true;
  if (cell.generation !== engine.generation || engine.m === null) return; // gone with its instance
  engine.used -= cell.bytes;
  engine.m.release(cell.handle);
}

// Properties read from the workflow's document, which the engine writes only when one of them is
// first read (most programs never do, and loading a workflow is on the start-up path).
const FROM_DOCUMENT = ['roles', 'fields', 'transitions', 'edges', 'document'];

const DISPOSE = typeof Symbol.dispose === 'symbol' ? Symbol.dispose : Symbol.for('Symbol.dispose');

/** One loaded workflow. Plain frozen data plus the four questions the engine answers. */
export class Workflow {
  #flow;
  #engine;
  #cell;
  #doc = null;
  #guardFields; // the order fields the workflow's guards read: sent with each order, planBatch's field columns

  constructor(flow, engine, loaded, cell) {
    this.#flow = flow;
    this.#engine = engine;
    this.#cell = cell;
    this.id = loaded.id;
    this.name = loaded.name;
    this.initial = loaded.initial;
    this.statuses = deepFreeze(loaded.statuses);
    this.#guardFields = Object.freeze(loaded.guardFields);
    // roles, fields, transitions, document: enumerable, read-only, the same frozen values on
    // every read (getters, so the document is fetched on first use).
    for (const key of FROM_DOCUMENT) {
      Object.defineProperty(this, key, { get: () => this.#fromDocument()[key], enumerable: true });
    }
    if (cell.source !== null) registry?.register(this, cell, cell);
    Object.freeze(this);
  }

  // The handle, in the engine's current instance: after a replacement the workflow is loaded
  // again (from its text, or as the built-in it is) on its first call.
  #handle() {
    const cell = this.#cell;
    if (cell.disposed) throw new OrderflowError(`orderflow: workflow "${this.id}" was disposed`, [], 'disposed');
    if (cell.generation !== this.#engine.generation) this.#flow._reload(cell);
    return cell.handle;
  }

  /** Releases the engine's memory for this workflow now; later calls throw. Built-ins: no-op. */
  dispose() {
    if (this.#cell.source === null) return;
    registry?.unregister(this.#cell);
    releaseCell(this.#cell);
  }

  [DISPOSE]() {
    this.dispose();
  }

  #fromDocument() {
    if (this.#doc === null) {
      const h = this.#handle();
      const [docText, edgesText] = this.#engine.call((m) => [m.workflowDocument(h), m.edges(h)]);
      const doc = deepFreeze(parseAnswer(docText));
      this.#doc = {
        roles: deepFreeze(Array.isArray(doc.roles) ? doc.roles : []),
        fields: deepFreeze(Array.isArray(doc.fields) ? doc.fields : []),
        transitions: deepFreeze(Array.isArray(doc.transitions) ? doc.transitions : []),
        edges: deepFreeze(parseAnswer(edgesText)),
        document: doc,
      };
    }
    return this.#doc;
  }

  /** A stored status value (current or legacy) read as a current status. */
  normalize(value) {
    const v = requireString(value, 'normalize(value)', 'value');
    const h = this.#handle();
    const io = this.#flow._scratch;
    return parseAnswer(
      this.#engine.call((m) => {
        const len = io.write(m, [v]);
        const answer = m.normalize(h, io.ptr, len[0]);
        io.done(m);
        return answer;
      }),
    );
  }

  /** The next statuses `actor` may pick for `order`; `.errors` (non-enumerable) says why none. */
  allowed(order, actor) {
    const fn = 'allowed(order, actor)';
    const orderText = orderJson(order, fn, this.#guardFields);
    const actorText = actorJson(actor, fn);
    const h = this.#handle();
    const io = this.#flow._scratch;
    const answer = parseAnswer(
      this.#engine.call((m) => {
        const len = io.write(m, [orderText, actorText]);
        const text = m.allowed(h, io.ptr, len[0], len[1]);
        io.done(m);
        return text;
      }),
    );
    const options = answer.options;
    Object.defineProperty(options, 'errors', { value: answer.errors, enumerable: false });
    return options;
  }

  /**
   * `allowed` with the reason when it offers nothing: `{options, reason?: {code, message}}`
   * (a final status, a read-only role, a store not the actor's, a malformed order, ...).
   */
  options(order, actor) {
    const fn = 'options(order, actor)';
    const answer = this.#ask(fn, 'allowed', [orderJson(order, fn, this.#guardFields), actorJson(actor, fn)]);
    return answer.reason ? { options: answer.options, reason: answer.reason } : { options: answer.options };
  }

  /**
   * Which stores `actor` may see orders of: `{all: true, stores: []}` (a role covering every
   * store), or `{all: false, stores: [...]}` (the actor's own, as text); `errors` says why none
   * (a malformed actor, an unknown role).
   */
  visibleStores(actor) {
    const fn = 'visibleStores(actor)';
    return this.#ask(fn, 'visibleStores', [actorJson(actor, fn)]);
  }

  /** Whether `actor` may see orders of store `storeId` (a string, a number, or null: no store). */
  canSee(actor, storeId) {
    const fn = 'canSee(actor, storeId)';
    if (storeId !== null && storeId !== undefined && typeof storeId !== 'string' && typeof storeId !== 'number') {
      throw new TypeError(`orderflow: ${fn}: storeId must be a string, a number or null, got ${describe(storeId)}`);
    }
    return this.#ask(fn, 'canSee', [actorJson(actor, fn), toJson(storeId ?? null, fn, 'storeId')], false);
  }

  /** The field ids a change into `to` requires from orders stored with any of `statuses`. */
  requiredFields(to, statuses) {
    const fn = 'requiredFields(to, statuses)';
    const target = requireString(to, fn, 'to');
    if (!Array.isArray(statuses) || !statuses.every((s) => typeof s === 'string')) {
      throw new TypeError(`orderflow: ${fn}: statuses must be an array of strings, got ${describe(statuses)}`);
    }
    return parseAnswer(this.#ask(fn, 'requiredFields', [target, toJson([...new Set(statuses)], fn, 'statuses')], false)); // a fresh array, the caller's
  }

  // One engine call with text arguments; its JSON answer, deep-frozen (`json` false: the answer as returned).
  #ask(fn, name, parts, json = true) {
    const h = this.#handle();
    const io = this.#flow._scratch;
    const answer = this.#engine.call((m) => {
      const len = io.write(m, parts);
      const out = m[name](h, io.ptr, ...len.subarray(0, parts.length));
      io.done(m);
      return out;
    });
    return json ? deepFreeze(parseAnswer(answer)) : answer;
  }

  /** Whether `actor` may move `order` to `to` with `fields`, and every reason if not. */
  check(order, to, fields, actor) {
    const fn = 'check(order, to, fields, actor)';
    const target = requireString(to, fn, 'to');
    const orderText = orderJson(order, fn, this.#guardFields);
    const fieldsText = fieldsJson(fields, fn);
    const actorText = actorJson(actor, fn);
    const h = this.#handle();
    const io = this.#flow._scratch;
    return parseAnswer(
      this.#engine.call((m) => {
        const len = io.write(m, [orderText, target, fieldsText, actorText]);
        const text = m.check(h, io.ptr, len[0], len[1], len[2], len[3]);
        io.done(m);
        return text;
      }),
    );
  }

  /** `check` for many orders in one call: `{eligible: [id], blocked: [{id, errors}]}`. */
  planBulk(orders, to, fields, actor) {
    const fn = 'planBulk(orders, to, fields, actor)';
    if (!Array.isArray(orders)) {
      if (orders === null || typeof orders !== 'object' || typeof orders[Symbol.iterator] !== 'function') {
        throw new TypeError(`orderflow: ${fn}: orders must be an array, got ${describe(orders)}`);
      }
      orders = Array.from(orders);
    }
    const target = requireString(to, fn, 'to');
    const fieldsText = fieldsJson(fields, fn);
    const actorText = actorJson(actor, fn);
    const n = orders.length;
    const eligible = [];
    const blocked = [];
    if (n === 0) return { eligible, blocked };
    const h = this.#handle();

    // The shared scratch columns, unless a getter or toJSON in the orders calls planBulk again.
    let cols = this.#flow._columns;
    if (cols.busy) cols = new Columns();
    cols.busy = true;
    try {
      const io = this.#flow._scratch;
      const readsText = this.#engine.call((m) => {
        const len = io.write(m, [target, actorText]);
        return m.batchReads(h, io.ptr, len[0], len[1]);
      });
      const reads = cols.reads.set(JSON.parse(readsText));
      let marshalled;
      try {
        marshalled = marshal(orders, n, cols, reads, prototypesPolluted(this.#guardFields), this.#guardFields);
      } catch {
        // a getter or Proxy trap threw: every order goes the per-order way, which says which one
        marshalled = marshalNone(n, cols);
      }
      const { items, strings, slow, ids } = marshalled;
      const verdictOf = this.#plan(h, cols, n, items, strings, reads.any, target, fieldsText, actorText);
      const index = verdictOf.index;
      const table = verdictOf.table;
      const shared = new Array(table.length).fill(null); // one frozen error array per verdict
      if (!slow && allBelow(index, n, table.length)) return collectAll(index, n, ids, table, shared);
      // The other orders (not clean, or without a verdict) go to the engine in batches
      // (checkMany), read as check() reads them.
      if (slow) for (let k = 0; k < slow.length; k++) index[slow[k]] = BAD_VERDICT;
      const pending = [];
      for (let i = 0; i < n; i++) if (index[i] >= table.length) pending.push(i);
      const judged = this.#checkMany(h, orders, pending, reads, target, fieldsText, actorText);
      for (let i = 0; i < n; i++) {
        const v = index[i];
        if (v === 0) eligible.push(ids[i]);
        else if (v < table.length) blocked.push({ id: ids[i], errors: (shared[v] ??= deepFreeze(table[v])) });
        else {
          const { id, errors } = judged.get(i);
          if (errors.length === 0) eligible.push(id);
          else blocked.push({ id, errors });
        }
      }
    } finally {
      cols.ids.fill(null, 0, n);
      cols.busy = false;
    }
    return { eligible, blocked };
  }

  // check() for the orders at `indexes`, in few engine calls: each distinct order text (without
  // its id, which no verdict depends on) is judged once, the texts joined into JSON arrays of at
  // most MAX_ARGUMENT_UNITS each. Map: order index -> {id, errors}.
  #checkMany(h, orders, indexes, reads, target, fieldsText, actorText) {
    const fn = 'planBulk(orders, to, fields, actor)';
    const out = new Map();
    const verdicts = new Map(); // key -> {text, errors}
    for (const i of indexes) {
      const { text, key, id } = readOrder(orders[i], fn, `orders[${i}]`, reads, this.#guardFields);
      if (text.length > MAX_ARGUMENT_UNITS) throw tooLarge(fn, `orders[${i}]`, text.length);
      let v = verdicts.get(key);
      if (v === undefined) verdicts.set(key, (v = { text, errors: null }));
      out.set(i, { id, v });
    }
    const io = this.#flow._scratch;
    let batch = [];
    let units = 2;
    const flush = () => {
      if (batch.length === 0) return;
      const answer = JSON.parse(
        this.#engine.call((m) => {
          const len = io.write(m, [`[${batch.map((v) => v.text).join(',')}]`, target, fieldsText, actorText]);
          const text = m.checkMany(h, io.ptr, len[0], len[1], len[2], len[3]);
          io.done(m);
          return text;
        }),
      );
      if (answer.verdicts.length !== batch.length) throw new Error('orderflow: internal error: checkMany lost orders');
      const frozen = answer.table.map((errors) => deepFreeze(errors));
      for (let k = 0; k < batch.length; k++) batch[k].errors = frozen[answer.verdicts[k]];
      batch = [];
      units = 2;
    };
    for (const v of verdicts.values()) {
      if (units + v.text.length + 1 > MAX_ARGUMENT_UNITS) flush();
      batch.push(v);
      units += v.text.length + 1;
    }
    flush();
    for (const entry of out.values()) entry.errors = entry.v.errors;
    return out;
  }

  #plan(h, cols, n, items, strings, reads, to, fieldsText, actorText) {
    // Strings go as JSON.stringify writes them: a lone surrogate stays an escape, which the engine
    // keeps distinct (two different ones never compare equal).
    const tableText = JSON.stringify(strings);
    if (tableText.length > MAX_ARGUMENT_UNITS) throw tooLarge('planBulk(orders, to, fields, actor)', 'orders', tableText.length);
    const nFields = this.#guardFields.length;
    return this.#engine.call((m) =>
      planColumns(m, this.#flow._scratch, h, cols, n, items, nFields, tableText, reads, to, fieldsText, actorText),
    );
  }
}

// The order's JSON text as check() and allowed() send it (order.js), bounded in size.
function orderJson(order, fn, guardFields) {
  const { text } = readOrder(order, fn, 'order', null, guardFields);
  if (text.length > MAX_ARGUMENT_UNITS) throw tooLarge(fn, 'order', text.length);
  return text;
}
