// The orderflow JS facade: plain objects in and out, no .delete(), errors as values.
//
// Shared by the Node entry (index.node.js) and the browser entry (index.browser.js), which only
// differ in how they obtain the WebAssembly bytes. No workflow rule lives here: every status,
// transition, role rule and message comes from the engine (core/) and the workflow document.

const BAD_VERDICT = 0xffffffff;
// Bits of the engine's batchReads answer (core: BatchReads).
const READS_STORE = 1;
const READS_PAYMENT = 2;
const READS_ITEMS = 4;

/** A workflow that failed to load. `message` is the loader's text; `problems` lists each one. */
export class OrderflowError extends Error {
  constructor(message, problems) {
    super(message);
    this.name = 'OrderflowError';
    this.problems = problems;
  }
}

// ---- helpers ---------------------------------------------------------------------------------

function describe(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `a string`;
  return `${typeof value === 'object' ? 'an' : 'a'} ${typeof value}`;
}

const wellFormed = typeof String.prototype.toWellFormed === 'function'
  ? (s) => s.toWellFormed()
  : (s) => s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
const isWellFormed = typeof String.prototype.isWellFormed === 'function'
  ? (s) => s.isWellFormed()
  : (s) => !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);

// Rebuilds parsed JSON with lone surrogates (which UTF-8 cannot carry) replaced by U+FFFD.
function repairStrings(value) {
  if (typeof value === 'string') return wellFormed(value);
  if (Array.isArray(value)) return value.map(repairStrings);
  if (value !== null && typeof value === 'object') {
    const out = Object.create(null);
    for (const key of Object.keys(value)) {
      Object.defineProperty(out, wellFormed(key), {
        value: repairStrings(value[key]), enumerable: true, writable: true, configurable: true,
      });
    }
    return out;
  }
  return value;
}

const LONE_SURROGATE_ESCAPE = /\\ud[89a-f][0-9a-f]{2}/;

// JSON text for the engine. Never throws anything but a TypeError naming the argument.
function toJson(value, what) {
  if (value === undefined) return 'null';
  let text;
  try {
    text = JSON.stringify(value);
  } catch (e) {
    throw new TypeError(`orderflow: ${what} cannot be converted to JSON (${e && e.message})`);
  }
  if (text === undefined) return 'null';  // a function or a symbol
  // JSON.stringify writes lone surrogates as \udXXX escapes, which the engine (UTF-8) refuses.
  if (text.includes('\\ud') && LONE_SURROGATE_ESCAPE.test(text)) text = JSON.stringify(repairStrings(JSON.parse(text)));
  return text;
}

function requireString(value, fn, name) {
  if (typeof value !== 'string') {
    throw new TypeError(`orderflow: ${fn}: ${name} must be a string, got ${describe(value)}`);
  }
  return isWellFormed(value) ? value : wellFormed(value);
}

function fieldsJson(fields) {
  return fields === undefined || fields === null ? '{}' : toJson(fields, 'fields');
}

function deepFreeze(value) {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze(value[key]);
  }
  return value;
}

function parseAnswer(text) {
  const answer = JSON.parse(text);
  if (answer && answer.released) throw new Error('orderflow: this workflow was released');
  return answer;
}

// ---- planBulk marshalling ----------------------------------------------------------------------

// Scratch columns reused between calls (grown by doubling); copied into the wasm heap in one go.
// The interning state and the batchReads answer are reused too (reset per call), not created per
// call: marshal's optimised code depends on the shapes of the objects it reads, and the shape of
// an object made per call dies with it at the next full garbage collection, which throws that
// code away (measured: the first planBulk after a collection took 2-3x as long).
class Columns {
  constructor() {
    this.busy = false;
    this.ids = [];  // the clean orders' ids, emptied (set to null) after each call
    this.orders = 0;
    this.items = 0;
    this.grow(1024, 4096);
    this.interner = new Interner();
    this.statusOf = new Recent(this.interner);
    this.storeOf = new Recent(this.interner);
    this.paymentOf = new Recent(this.interner);
    this.readsOfIndex = [];
    this.reads = new BatchReads();
  }

  grow(orders, items) {
    if (orders > this.orders) {
      this.orders = orders;
      this.status = new Uint32Array(orders);
      this.store = new Uint32Array(orders);
      this.payment = new Uint32Array(orders);
      this.valid = new Uint8Array(orders);
      this.itemsPresent = new Uint8Array(orders);
      this.itemBegin = new Uint32Array(orders + 1);
      this.verdict = new Uint32Array(orders);
    }
    if (items > this.items) {
      const old = this.items ? { kind: this.kind, stock: this.stock, quantity: this.quantity } : null;
      this.items = items;
      this.kind = new Uint8Array(items);
      this.stock = new Float64Array(items);
      this.quantity = new Float64Array(items);
      if (old) {
        this.kind.set(old.kind);
        this.stock.set(old.stock);
        this.quantity.set(old.quantity);
      }
    }
  }
}

// The strings of a batch (status values, store ids, payment states), each given an index once.
class Interner {
  constructor() {
    this.strings = [''];
    this.index = new Map();
  }

  reset() {
    this.strings = [''];
    this.index.clear();
  }

  intern(s) {
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.strings.length;
      this.strings.push(s);
      this.index.set(s, i);
    }
    return i;
  }
}

// One string column: a small direct-mapped cache in front of the shared Map (a column usually
// holds a handful of distinct values, which rarely share length, first, middle and last character).
const SLOTS = 64;
class Recent {
  constructor(interner) {
    this.interner = interner;
    this.keys = new Array(SLOTS).fill(null);
    this.values = new Int32Array(SLOTS);
  }

  reset() {
    this.keys.fill(null);
  }

  get(s) {
    const n = s.length;
    const slot = n === 0 ? 0
      : (n * 31 + s.charCodeAt(0) * 7 + s.charCodeAt(n >> 1) * 3 + s.charCodeAt(n - 1)) & (SLOTS - 1);
    if (this.keys[slot] === s) return this.values[slot];
    const i = this.interner.intern(s);
    this.keys[slot] = s;
    this.values[slot] = i;
    return i;
  }
}

// The engine's batchReads answer: `any` (bits for any status), `unknown` (for a status value the
// workflow does not know) and `byValue` (stored status value -> bits).
class BatchReads {
  constructor() {
    this.any = 0;
    this.unknown = 0;
    this.byValue = new Map();
  }

  set(answer) {
    this.any = answer.any >>> 0;
    this.unknown = answer.unknown >>> 0;
    this.byValue = new Map(answer.statuses);
    return this;
  }
}

// Fills the columns for planBatch. An order is "clean" when the columns say everything the
// engine would read from it; anything else (malformed, or merely unusual: prototypes, toJSON,
// non-finite numbers) is left to check() one by one, so the engine has the last word on it.
// `reads` (the engine's batchReads) says, per stored status value, which parts of an order the
// verdict reads besides its status: only those are looked at, checked and copied; the engine
// never reads the others (docs/workflow-format.md: an order is read only as far as the decision
// needs it), so they stay 0 (absent).
function marshal(orders, n, cols, reads) {
  const readsOfValue = reads.byValue;
  const { interner, statusOf, storeOf, paymentOf, readsOfIndex } = cols;
  interner.reset();
  statusOf.reset();
  storeOf.reset();
  paymentOf.reset();
  readsOfIndex.length = 0;  // interned status index -> bits
  cols.grow(n, 0);
  const { status, store, payment, valid, itemBegin, itemsPresent } = cols;
  let { kind, stock, quantity } = cols;
  let itemCap = cols.items;
  let slow = null;
  let items = 0;
  const ids = cols.ids;
  if (ids.length < n) ids.length = n;
  const OBJECT = Object.prototype;

  for (let i = 0; i < n; i++) {
    itemBegin[i] = items;
    const o = orders[i];
    clean: {
      if (o === null || typeof o !== 'object') break clean;
      const st = o.status;
      const id = o.id;
      // after the reads, so the optimiser knows the object's shape and folds the prototype check
      if (Object.getPrototypeOf(o) !== OBJECT || o.toJSON !== undefined) break clean;
      if (typeof st !== 'string') break clean;
      const statusIndex = statusOf.get(st);
      let r = readsOfIndex[statusIndex];
      if (r === undefined) r = readsOfIndex[statusIndex] = readsOfValue.get(st) ?? reads.unknown;
      let storeIndex = 0;
      if ((r & READS_STORE) !== 0) {
        const sid = o.store_id;
        if (typeof sid === 'string') storeIndex = storeOf.get(sid);
        else if (typeof sid === 'number') {
          if (!Number.isFinite(sid)) break clean;
          storeIndex = interner.intern(String(sid));
        } else if (sid !== undefined && sid !== null) break clean;
      }
      let payIndex = 0;
      if ((r & READS_PAYMENT) !== 0) {
        const pay = o.payment_status;
        if (typeof pay === 'string') payIndex = paymentOf.get(pay);
        else if (pay !== undefined && pay !== null) break clean;
      }
      let present = 0;
      if ((r & READS_ITEMS) !== 0) {
        const list = o.items;
        if (list !== undefined && list !== null) {
          if (!Array.isArray(list) || list.toJSON !== undefined) break clean;
          present = 1;
          const m = list.length;
          if (items + m > itemCap) {
            cols.grow(0, Math.max(itemCap * 2, items + m));
            ({ kind, stock, quantity } = cols);
            itemCap = cols.items;
          }
          let k = items;
          for (let j = 0; j < m; j++, k++) {
            const it = list[j];
            if (it === null || typeof it !== 'object') break clean;
            const q = it.quantity;
            const s = it.in_stock;
            if (Object.getPrototypeOf(it) !== OBJECT || it.toJSON !== undefined) break clean;
            if (q === undefined) quantity[k] = NaN;
            else if (typeof q === 'number' && q >= 0 && q !== Infinity) quantity[k] = q;
            else break clean;
            if (s === true) { kind[k] = 2; stock[k] = 0; }
            else if (s === false) { kind[k] = 1; stock[k] = 0; }
            else if (s === undefined) { kind[k] = 0; stock[k] = 0; }
            else if (typeof s === 'number' && s - s === 0) { kind[k] = 3; stock[k] = s; }
            else break clean;
          }
          items = k;
        }
      }
      status[i] = statusIndex;
      store[i] = storeIndex;
      payment[i] = payIndex;
      itemsPresent[i] = present;
      valid[i] = 1;
      ids[i] = id === undefined ? null : id;
      continue;
    }
    // not clean: an invalid row for the engine, judged by check() afterwards
    status[i] = 0;
    store[i] = 0;
    payment[i] = 0;
    itemsPresent[i] = 0;
    valid[i] = 0;
    (slow ??= []).push(i);
  }
  itemBegin[n] = items;
  return { items, strings: interner.strings, slow, ids };
}

function allBelow(index, n, limit) {
  for (let i = 0; i < n; i++) if (index[i] >= limit) return false;
  return true;
}

// The whole answer when every order has a verdict from the columns: both arrays allocated at
// their final length (counted first), no growing by push.
function collectAll(index, n, ids, table, shared) {
  let zeros = 0;
  for (let i = 0; i < n; i++) if (index[i] === 0) zeros++;
  const eligible = new Array(zeros);
  const blocked = new Array(n - zeros);
  let e = 0;
  let b = 0;
  for (let i = 0; i < n; i++) {
    const v = index[i];
    if (v === 0) {
      eligible[e++] = ids[i];
    } else {
      let errors = shared[v];
      if (errors === null) errors = shared[v] = deepFreeze(table[v]);
      blocked[b++] = { id: ids[i], errors };
    }
  }
  return { eligible, blocked };
}

// Text arguments go to the engine as UTF-8 written straight into one reusable buffer in wasm
// memory (TextEncoder.encodeInto also replaces lone surrogates by U+FFFD); the engine gets the
// buffer and the byte length of each argument.
class Scratch {
  constructor(module) {
    this.m = module;
    this.ptr = 0;
    this.cap = 0;
    this.lengths = new Uint32Array(8);
    this.encoder = new TextEncoder();
  }

  write(parts) {
    let need = 16;
    for (let i = 0; i < parts.length; i++) need += parts[i].length * 3;
    if (need > this.cap) {
      this.release();
      const cap = Math.max(need, this.cap * 2, 4096);
      const ptr = this.m._malloc(cap);
      if (!ptr) throw new RangeError('orderflow: out of memory for the arguments');
      this.ptr = ptr;
      this.cap = cap;
    }
    const heap = this.m.HEAPU8;
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
  done() {
    if (this.cap > 1 << 20) this.release();
  }

  release() {
    if (this.ptr) this.m._free(this.ptr);
    this.ptr = 0;
    this.cap = 0;
  }
}

// ---- Workflow --------------------------------------------------------------------------------

const registry = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry(({ module, handle }) => module.release(handle))
  : null;

// Properties read from the workflow's document, which the engine writes only when one of them is
// first read (most programs never do, and loading a workflow is on the start-up path).
const FROM_DOCUMENT = ['roles', 'fields', 'transitions', 'edges', 'document'];

/** One loaded workflow. Plain frozen data plus the four questions the engine answers. */
export class Workflow {
  #m;
  #h;
  #flow;
  #doc = null;

  constructor(flow, module, loaded, releasable) {
    this.#flow = flow;
    this.#m = module;
    this.#h = loaded.handle;
    this.id = loaded.id;
    this.name = loaded.name;
    this.initial = loaded.initial;
    this.statuses = deepFreeze(loaded.statuses);
    // roles, fields, transitions, document: enumerable, read-only, the same frozen values on
    // every read (getters, so the document is fetched on first use).
    for (const key of FROM_DOCUMENT) {
      Object.defineProperty(this, key, { get: () => this.#fromDocument()[key], enumerable: true });
    }
    if (releasable) registry?.register(this, { module, handle: loaded.handle });
    Object.freeze(this);
  }

  #fromDocument() {
    if (this.#doc === null) {
      const doc = deepFreeze(parseAnswer(this.#m.workflowDocument(this.#h)));
      this.#doc = {
        roles: deepFreeze(Array.isArray(doc.roles) ? doc.roles : []),
        fields: deepFreeze(Array.isArray(doc.fields) ? doc.fields : []),
        transitions: deepFreeze(Array.isArray(doc.transitions) ? doc.transitions : []),
        edges: deepFreeze(parseAnswer(this.#m.edges(this.#h))),
        document: doc,
      };
    }
    return this.#doc;
  }

  /** A stored status value (current or legacy) read as a current status. */
  normalize(value) {
    const v = requireString(value, 'normalize(value)', 'value');
    const io = this.#flow._scratch;
    const len = io.write([v]);
    const answer = this.#m.normalize(this.#h, io.ptr, len[0]);
    io.done();
    return parseAnswer(answer);
  }

  /** The next statuses `actor` may pick for `order`; `.errors` (non-enumerable) says why none. */
  allowed(order, actor) {
    const io = this.#flow._scratch;
    const len = io.write([toJson(order, 'order'), toJson(actor, 'actor')]);
    const text = this.#m.allowed(this.#h, io.ptr, len[0], len[1]);
    io.done();
    const answer = parseAnswer(text);
    const options = answer.options;
    Object.defineProperty(options, 'errors', { value: answer.errors, enumerable: false });
    return options;
  }

  /** Whether `actor` may move `order` to `to` with `fields`, and every reason if not. */
  check(order, to, fields, actor) {
    const target = requireString(to, 'check(order, to, fields, actor)', 'to');
    const io = this.#flow._scratch;
    const len = io.write([toJson(order, 'order'), target, fieldsJson(fields), toJson(actor, 'actor')]);
    const text = this.#m.check(this.#h, io.ptr, len[0], len[1], len[2], len[3]);
    io.done();
    return parseAnswer(text);
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
    const fieldsText = fieldsJson(fields);
    const actorText = toJson(actor, 'actor');
    const n = orders.length;
    const eligible = [];
    const blocked = [];
    if (n === 0) return { eligible, blocked };

    // The shared scratch columns, unless a getter or toJSON in the orders calls planBulk again.
    let cols = this.#flow._columns;
    if (cols.busy) cols = new Columns();
    cols.busy = true;
    try {
      const io = this.#flow._scratch;
      const len = io.write([target, actorText]);
      const reads = cols.reads.set(JSON.parse(this.#m.batchReads(this.#h, io.ptr, len[0], len[1])));
      const { items, strings, slow, ids } = marshal(orders, n, cols, reads);
      const verdictOf = this.#plan(cols, n, items, strings, reads.any, target, fieldsText, actorText);
      const index = verdictOf.index;
      if (slow) for (let k = 0; k < slow.length; k++) index[slow[k]] = BAD_VERDICT;
      const table = verdictOf.table;
      const shared = new Array(table.length).fill(null);  // one frozen error array per verdict
      if (!slow && allBelow(index, n, table.length)) return collectAll(index, n, ids, table, shared);
      // Some orders go to the engine one by one (BAD_VERDICT, or an index without a verdict).
      for (let i = 0; i < n; i++) {
        const v = index[i];
        if (v === 0) eligible.push(ids[i]);
        else if (v < table.length) blocked.push({ id: ids[i], errors: shared[v] ??= deepFreeze(table[v]) });
        else this.#slow(orders[i], target, fields, actor, eligible, blocked);
      }
    } finally {
      cols.ids.fill(null, 0, n);
      cols.busy = false;
    }
    return { eligible, blocked };
  }

  // An order not clean enough for the columns (or without a verdict): the engine judges it alone.
  #slow(o, target, fields, actor, eligible, blocked) {
    const id = o !== null && typeof o === 'object' && o.id !== undefined ? o.id : null;
    const answer = this.check(o, target, fields, actor);
    if (answer.ok) eligible.push(id);
    else blocked.push({ id, errors: deepFreeze(answer.errors) });
  }

  #plan(cols, n, items, strings, reads, to, fieldsText, actorText) {
    const m = this.#m;
    const table = [];
    for (const s of strings) table.push(isWellFormed(s) ? s : wellFormed(s));
    // Layout: 8-byte aligned doubles first, then uint32 columns, then bytes.
    const itemCount = Math.max(items, 1);
    const bytes = itemCount * 16 + (n * 4) * 4 + (n + 1) * 4 + n * 2 + itemCount + 16;
    const base = m._malloc(bytes);
    if (!base) throw new Error('orderflow: out of memory for planBulk');
    try {
      const at = (base + 7) & ~7;
      const pStock = at;
      const pQuantity = pStock + itemCount * 8;
      const pStatus = pQuantity + itemCount * 8;
      const pStore = pStatus + n * 4;
      const pPayment = pStore + n * 4;
      const pOut = pPayment + n * 4;
      const pItemBegin = pOut + n * 4;
      const pValid = pItemBegin + (n + 1) * 4;
      const pPresent = pValid + n;
      const pKind = pPresent + n;
      const heapF64 = m.HEAPF64;
      const heapU32 = m.HEAPU32;
      const heapU8 = m.HEAPU8;
      // Only the columns the engine reads (batchReads) are copied; the others go as null.
      const readStore = (reads & READS_STORE) !== 0;
      const readPayment = (reads & READS_PAYMENT) !== 0;
      const readItems = (reads & READS_ITEMS) !== 0;
      heapU32.set(cols.status.subarray(0, n), pStatus >> 2);
      heapU8.set(cols.valid.subarray(0, n), pValid);
      if (readStore) heapU32.set(cols.store.subarray(0, n), pStore >> 2);
      if (readPayment) heapU32.set(cols.payment.subarray(0, n), pPayment >> 2);
      if (readItems) {
        heapF64.set(cols.stock.subarray(0, items), pStock >> 3);
        heapF64.set(cols.quantity.subarray(0, items), pQuantity >> 3);
        heapU32.set(cols.itemBegin.subarray(0, n + 1), pItemBegin >> 2);
        heapU8.set(cols.itemsPresent.subarray(0, n), pPresent);
        heapU8.set(cols.kind.subarray(0, items), pKind);
      }
      const io = this.#flow._scratch;
      const len = io.write([JSON.stringify(table), to, fieldsText, actorText]);
      const verdicts = m.planBatch(this.#h, n, pStatus, readStore ? pStore : 0, readPayment ? pPayment : 0,
        pValid, readItems ? pItemBegin : 0, readItems ? pKind : 0, readItems ? pStock : 0,
        readItems ? pQuantity : 0, readItems ? pPresent : 0, pOut, io.ptr, len[0], len[1], len[2], len[3]);
      io.done();
      const parsed = parseAnswer(verdicts);
      // The call may have grown memory: take a fresh view.
      const index = cols.verdict.subarray(0, n);
      index.set(new Uint32Array(m.HEAPU32.buffer, pOut, n));
      return { index, table: parsed };
    } finally {
      m._free(base);
    }
  }
}

// ---- OrderFlow ---------------------------------------------------------------------------------

const BUILTIN_ID = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

/** A loaded engine: the built-in workflow ids and a way to load workflows. */
export class OrderFlow {
  #m;
  #builtins = new Map();

  constructor(module) {
    this.#m = module;
    this.workflows = Object.freeze(JSON.parse(module.builtinIds()));
    Object.defineProperty(this, '_columns', { value: new Columns(), enumerable: false });
    Object.defineProperty(this, '_scratch', { value: new Scratch(module), enumerable: false });
  }

  /** A built-in workflow by id, a workflow document (object), or a workflow's JSON text. */
  workflow(source) {
    if (source instanceof Workflow) return source;
    if (typeof source === 'string') {
      if (BUILTIN_ID.test(source)) return this.#builtin(source);
      return this.loadText(source);
    }
    if (source !== null && typeof source === 'object') return this.loadText(toJson(source, 'workflow'));
    throw new TypeError(`orderflow: workflow(source): source must be a built-in id, a workflow object or JSON text, got ${describe(source)}`);
  }

  /** Loads a workflow from JSON text exactly as given (never read as a built-in id). */
  loadText(text) {
    const t = requireString(text, 'loadText(text)', 'text');
    const len = this._scratch.write([t]);
    const answer = this.#m.loadText(this._scratch.ptr, len[0]);
    this._scratch.done();
    return this.#make(answer, true);
  }

  #builtin(id) {
    let workflow = this.#builtins.get(id);
    if (!workflow) {
      workflow = this.#make(this.#m.loadBuiltin(id), false);
      this.#builtins.set(id, workflow);
    }
    return workflow;
  }

  #make(text, releasable) {
    const loaded = JSON.parse(text);
    if (loaded.problems) {
      throw new OrderflowError(loaded.error, loaded.problems.map((p) => Object.freeze(p)));
    }
    return new Workflow(this, this.#m, loaded, releasable);
  }

  /** Number of workflows currently held by the engine (built-ins included); for leak tests. */
  get liveWorkflows() {
    return this.#m.liveHandles();
  }

  /** Bytes of WebAssembly memory currently reserved; for leak tests. */
  get memoryBytes() {
    return this.#m.HEAPU8.buffer.byteLength;
  }
}

/**
 * Builds `createOrderFlow` around an instantiation function (entry-specific: Node reads the
 * .wasm bytes from disk, the browser fetches them). Default instances are cached.
 */
export function makeCreateOrderFlow(instantiate) {
  let cached = null;
  return function createOrderFlow(options) {
    if (options !== undefined && (options === null || typeof options !== 'object')) {
      throw new TypeError(`orderflow: createOrderFlow(options): options must be an object, got ${describe(options)}`);
    }
    const custom = options && (options.wasmBinary || options.locateFile || options.wasmUrl);
    if (!custom && cached) return cached;
    const promise = Promise.resolve(instantiate(options || {})).then((module) => new OrderFlow(module));
    if (!custom) {
      cached = promise;
      promise.catch(() => { if (cached === promise) cached = null; });
    }
    return promise;
  };
}
