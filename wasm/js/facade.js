// The orderflow JS facade: plain objects in and out, no .delete(), errors as values.
//
// Shared by the Node entry (index.node.js) and the browser entry (index.browser.js), which only
// differ in how they obtain the WebAssembly bytes. No workflow rule lives here: every status,
// transition, role rule and message comes from the engine (core/) and the workflow document.

import {
  OrderflowError, deepFreeze, describe, parseAnswer, toJson, requireString, fieldsJson, actorJson, tooLarge,
  MAX_ARGUMENT_UNITS,
} from './args.js';
import { readOrder } from './order.js';
import {
  BAD_VERDICT, Columns, marshal, marshalNone, allBelow, collectAll, planColumns, prototypesPolluted,
} from './columns.js';
import { Engine, DEFAULT_MEMORY_BUDGET } from './engine.js';

export { OrderflowError } from './args.js';

// Text arguments go to the engine as UTF-8 written straight into one reusable buffer in wasm
// memory (TextEncoder.encodeInto also replaces lone surrogates by U+FFFD); the engine gets the
// buffer and the byte length of each argument. Always called inside Engine.call with its module.
class Scratch {
  constructor(engine) {
    this.ptr = 0;
    this.cap = 0;
    this.lengths = new Uint32Array(8);
    this.encoder = new TextEncoder();
    this.engine = engine;
    engine.onReplace.push(() => { this.ptr = 0; this.cap = 0; });  // that memory is gone
  }

  write(m, parts) {
    let need = 16;
    for (let i = 0; i < parts.length; i++) need += parts[i].length * 3;
    if (need > this.cap) {
      this.release(m);
      const cap = Math.max(need, this.cap * 2, 4096);
      const ptr = m._malloc(cap);
      if (!ptr) throw new RangeError('orderflow: out of memory for the arguments');
      this.ptr = ptr;
      this.cap = cap;
    }
    const heap = m.HEAPU8;
    const end = this.ptr + this.cap;
    let at = this.ptr;
    for (let i = 0; i < parts.length; i++) {
      const written = this.encoder.encodeInto(parts[i], heap.subarray(at, end)).written;
      this.lengths[i] = written;
      at += written;
    }
    return this.lengths;
  }

  // After a large call, give the buffer back so one huge argument does not pin it.
  done(m) {
    if (this.cap > 1 << 20) this.release(m);
  }

  release(m) {
    if (this.ptr) m._free(this.ptr);
    this.ptr = 0;
    this.cap = 0;
  }
}

// ---- Workflow --------------------------------------------------------------------------------

// A workflow's handle in the engine, kept apart from the Workflow so that the finalizer (which
// must not reach the Workflow) can release it. `generation`: the engine instance it lives in.
const registry = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry((cell) => releaseCell(cell))
  : null;

function releaseCell(cell) {
  const { engine } = cell;
  if (cell.disposed) return;
  cell.disposed = true;
  if (cell.generation !== engine.generation || engine.m === null) return;  // gone with its instance
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

  constructor(flow, engine, loaded, cell) {
    this.#flow = flow;
    this.#engine = engine;
    this.#cell = cell;
    this.id = loaded.id;
    this.name = loaded.name;
    this.initial = loaded.initial;
    this.statuses = deepFreeze(loaded.statuses);
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
    return parseAnswer(this.#engine.call((m) => {
      const len = io.write(m, [v]);
      const answer = m.normalize(h, io.ptr, len[0]);
      io.done(m);
      return answer;
    }));
  }

  /** The next statuses `actor` may pick for `order`; `.errors` (non-enumerable) says why none. */
  allowed(order, actor) {
    const fn = 'allowed(order, actor)';
    const orderText = orderJson(order, fn);
    const actorText = actorJson(actor, fn);
    const h = this.#handle();
    const io = this.#flow._scratch;
    const answer = parseAnswer(this.#engine.call((m) => {
      const len = io.write(m, [orderText, actorText]);
      const text = m.allowed(h, io.ptr, len[0], len[1]);
      io.done(m);
      return text;
    }));
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
    const answer = this.#ask(fn, 'allowed', [orderJson(order, fn), actorJson(actor, fn)]);
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
    return parseAnswer(this.#ask(fn, 'requiredFields', [target, toJson([...new Set(statuses)], fn, 'statuses')], false));  // a fresh array, the caller's
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
    const orderText = orderJson(order, fn);
    const fieldsText = fieldsJson(fields, fn);
    const actorText = actorJson(actor, fn);
    const h = this.#handle();
    const io = this.#flow._scratch;
    return parseAnswer(this.#engine.call((m) => {
      const len = io.write(m, [orderText, target, fieldsText, actorText]);
      const text = m.check(h, io.ptr, len[0], len[1], len[2], len[3]);
      io.done(m);
      return text;
    }));
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
        marshalled = marshal(orders, n, cols, reads, prototypesPolluted());
      } catch {
        // a getter or Proxy trap threw: every order goes the per-order way, which says which one
        marshalled = marshalNone(n, cols);
      }
      const { items, strings, slow, ids } = marshalled;
      const verdictOf = this.#plan(h, cols, n, items, strings, reads.any, target, fieldsText, actorText);
      const index = verdictOf.index;
      const table = verdictOf.table;
      const shared = new Array(table.length).fill(null);  // one frozen error array per verdict
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
        else if (v < table.length) blocked.push({ id: ids[i], errors: shared[v] ??= deepFreeze(table[v]) });
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
    const verdicts = new Map();  // key -> {text, errors}
    for (const i of indexes) {
      const { text, key, id } = readOrder(orders[i], fn, `orders[${i}]`, reads);
      if (text.length > MAX_ARGUMENT_UNITS) throw tooLarge(fn, `orders[${i}]`, text.length);
      let v = verdicts.get(key);
      if (v === undefined) verdicts.set(key, v = { text, errors: null });
      out.set(i, { id, v });
    }
    const io = this.#flow._scratch;
    let batch = [];
    let units = 2;
    const flush = () => {
      if (batch.length === 0) return;
      const answer = JSON.parse(this.#engine.call((m) => {
        const len = io.write(m, [`[${batch.map((v) => v.text).join(',')}]`, target, fieldsText, actorText]);
        const text = m.checkMany(h, io.ptr, len[0], len[1], len[2], len[3]);
        io.done(m);
        return text;
      }));
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
    return this.#engine.call((m) => planColumns(m, this.#flow._scratch, h, cols, n, items, tableText, reads, to, fieldsText, actorText));
  }
}

// The order's JSON text as check() and allowed() send it (order.js), bounded in size.
function orderJson(order, fn) {
  const { text } = readOrder(order, fn);
  if (text.length > MAX_ARGUMENT_UNITS) throw tooLarge(fn, 'order', text.length);
  return text;
}

// ---- OrderFlow ---------------------------------------------------------------------------------

const BUILTIN_ID = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

/** A loaded engine: the built-in workflow ids and a way to load workflows. */
export class OrderFlow {
  #engine;
  #builtins = new Map();
  #errorCodes = null;

  constructor(module, restart = null, memoryBudget = DEFAULT_MEMORY_BUDGET) {
    const engine = new Engine(module, restart ?? (() => { throw new Error('no way to restart'); }), memoryBudget);
    this.#engine = engine;
    this.workflows = Object.freeze(JSON.parse(module.builtinIds()));
    Object.defineProperty(this, '_columns', { value: new Columns(), enumerable: false });
    Object.defineProperty(this, '_scratch', { value: new Scratch(engine), enumerable: false });
    Object.defineProperty(this, '_engine', { value: engine, enumerable: false });  // for fault tests
  }

  /** A built-in workflow by id, a workflow document (object), or a workflow's JSON text. */
  workflow(source) {
    if (source instanceof Workflow) return source;
    if (typeof source === 'string') {
      if (BUILTIN_ID.test(source)) return this.#builtin(source);
      return this.loadText(source);
    }
    if (source !== null && typeof source === 'object') return this.loadText(toJson(source, 'workflow(source)', 'workflow', true));
    throw new TypeError(`orderflow: workflow(source): source must be a built-in id, a workflow object or JSON text, got ${describe(source)}`);
  }

  /** Loads a workflow from JSON text exactly as given (never read as a built-in id). */
  loadText(text) {
    const t = requireString(text, 'loadText(text)', 'text');
    const cell = { engine: this.#engine, handle: 0, generation: 0, bytes: 0, disposed: false, source: t };
    return new Workflow(this, this.#engine, this._reload(cell), cell);
  }

  // Loads cell.source (JSON text; null: the built-in cell.id) into the engine's current instance,
  // within the memory budget; returns the loader's answer. Also how a workflow comes back after
  // the instance was replaced.
  _reload(cell) {
    const engine = this.#engine;
    const io = this._scratch;
    const custom = cell.source !== null;
    if (custom && engine.used >= engine.budget) engine.reserve(1);  // throws: already at the budget
    const { text, bytes } = engine.call((m) => {
      if (!custom) return { text: m.loadBuiltin(cell.id), bytes: 0 };
      const len = io.write(m, [cell.source]);
      const before = m.heapUsed();
      const answer = m.loadText(io.ptr, len[0]);
      const after = m.heapUsed();
      io.done(m);
      return { text: answer, bytes: Math.max(0, after - before) };
    });
    const loaded = JSON.parse(text);
    if (loaded.problems) {
      throw new OrderflowError(loaded.error, loaded.problems.map((p) => Object.freeze(p)));
    }
    if (custom) {
      try {
        engine.reserve(bytes);
      } catch (e) {
        engine.call((m) => m.release(loaded.handle));
        throw e;
      }
    }
    cell.handle = loaded.handle;
    cell.generation = engine.generation;
    cell.bytes = bytes;
    return loaded;
  }

  #builtin(id) {
    let workflow = this.#builtins.get(id);
    if (!workflow) {
      const cell = { engine: this.#engine, handle: 0, generation: 0, bytes: 0, disposed: false, source: null, id };
      workflow = new Workflow(this, this.#engine, this._reload(cell), cell);
      this.#builtins.set(id, workflow);
    }
    return workflow;
  }

  /**
   * Every error code the engine itself answers (a workflow's guards add their own), in check's
   * order: `[{code, permission, message}]`; `permission`: a refusal about who asks, not the order
   * (the REST APIs' 403); `message`: what it means in plain words.
   */
  get errorCodes() {
    this.#errorCodes ??= deepFreeze(JSON.parse(this.#engine.call((m) => m.errorCodes())));
    return this.#errorCodes;
  }

  /** Number of workflows currently held by the engine (built-ins included); for leak tests. */
  get liveWorkflows() {
    return this.#engine.call((m) => m.liveHandles());
  }

  /** Bytes of WebAssembly memory currently reserved; for leak tests. */
  get memoryBytes() {
    return this.#engine.call((m) => m.HEAPU8.buffer.byteLength);
  }

  /** Bytes of wasm heap held by live custom workflows, and the budget they must stay within. */
  get memory() {
    return { used: this.#engine.used, budget: this.#engine.budget };
  }

  /** Resolves when the engine is ready for calls (at once, unless it is being replaced after an abort). */
  get ready() {
    return this.#engine.pending ?? Promise.resolve();
  }
}

/**
 * Builds `createOrderFlow` around the entry's way to instantiate the Emscripten module:
 * `instantiate(options)` gives a promise of one (Node reads the .wasm bytes from disk, the browser
 * fetches them), `instantiate(options, true)` a fresh one for replacing an aborted instance (at
 * once where it can, else a promise). Default instances are cached.
 */
export function makeCreateOrderFlow(instantiate) {
  let cached = null;
  return function createOrderFlow(options) {
    if (options !== undefined && (options === null || typeof options !== 'object')) {
      throw new TypeError(`orderflow: createOrderFlow(options): options must be an object, got ${describe(options)}`);
    }
    const opts = options || {};
    let budget = DEFAULT_MEMORY_BUDGET;
    if (opts.memoryBudget !== undefined) {
      budget = opts.memoryBudget;
      if (typeof budget !== 'number' || !(budget > 0)) {
        throw new TypeError(`orderflow: createOrderFlow(options): memoryBudget must be a positive number of bytes, got ${describe(budget)}`);
      }
    }
    const custom = opts.wasmBinary || opts.locateFile || opts.wasmUrl || opts.memoryBudget !== undefined;
    if (!custom && cached) return cached;
    const promise = Promise.resolve(instantiate(opts))
      .then((module) => new OrderFlow(module, () => instantiate(opts, true), budget));
    if (!custom) {
      cached = promise;
      promise.catch(() => { if (cached === promise) cached = null; });
    }
    return promise;
  };
}
