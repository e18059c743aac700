// The orderflow JS facade: plain objects in and out, no .delete(), errors as values.
//
// Shared by the Node entry (index.node.js) and the browser entry (index.browser.js), which only
// differ in how they obtain the WebAssembly bytes. No workflow rule lives here: every status,
// transition, role rule and message comes from the engine (core/) and the workflow document.

import {
  OrderflowError, describe, isWellFormed, wellFormed, toJson, requireString, fieldsJson, actorJson, tooLarge,
  MAX_ARGUMENT_UNITS,
} from './args.js';
import { readOrder, prototypesPolluted } from './order.js';
import { Engine, DEFAULT_MEMORY_BUDGET } from './engine.js';

const BAD_VERDICT = 0xffffffff;
// Bits of the engine's batchReads answer (core: BatchReads).
const READS_STORE = 1;
const READS_PAYMENT = 2;
const READS_ITEMS = 4;

export { OrderflowError } from './args.js';

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

// Longer strings in an order go to the per-order path (their table would be copied whole).
const MAX_COLUMN_STRING = 1024;
// Bits of the order's own enumerable keys that the fast path reads (see keyMask).
const K_ID = 1;
const K_STATUS = 2;
const K_STORE = 4;
const K_PAYMENT = 8;
const K_ITEMS = 16;
const K_QUANTITY = 32;
const K_IN_STOCK = 64;

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
    this.orderKeys = new KeyMask();
    this.itemKeys = new KeyMask();
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

// Which of the keys the fast path reads are among `keys` (an object's own enumerable keys, as
// Object.keys and JSON.stringify list them). Orders of one shape list the same keys in the same
// order, so the answer for the previous list is reused when this one matches it element by element.
class KeyMask {
  constructor() {
    this.last = [];
    this.mask = 0;
  }

  of(keys) {
    const last = this.last;
    const n = keys.length;
    if (n === last.length) {
      let i = 0;
      while (i < n && keys[i] === last[i]) i++;
      if (i === n) return this.mask;
    }
    let m = 0;
    for (let i = 0; i < n; i++) {
      switch (keys[i]) {
        case 'id': m |= K_ID; break;
        case 'status': m |= K_STATUS; break;
        case 'store_id': m |= K_STORE; break;
        case 'payment_status': m |= K_PAYMENT; break;
        case 'items': m |= K_ITEMS; break;
        case 'quantity': m |= K_QUANTITY; break;
        case 'in_stock': m |= K_IN_STOCK; break;
        default: break;
      }
    }
    this.last = keys;
    this.mask = m;
    return m;
  }
}

// Fills the columns for planBatch. An order is "clean" when the columns say everything the
// engine would read from it, read the way check() reads it (order.js): only own enumerable
// properties (Object.keys, which sees through a Proxy's traps as JSON.stringify does), nothing
// inherited (`polluted`: some prototype carries a key the engine reads, then no order is clean).
// Anything else (malformed, or merely unusual: other prototypes, toJSON, non-finite numbers,
// object or BigInt ids, long strings) is left to the per-order path, so the engine has the last
// word on it. `reads` (the engine's batchReads) says, per stored status value, which parts of an
// order the verdict reads besides its status: only those are looked at, checked and copied; the
// engine never reads the others (docs/workflow-format.md: an order is read only as far as the
// decision needs it), so they stay 0 (absent).
function marshal(orders, n, cols, reads, polluted) {
  const readsOfValue = reads.byValue;
  const { interner, statusOf, storeOf, paymentOf, readsOfIndex, orderKeys, itemKeys } = cols;
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
      if (polluted || o === null || typeof o !== 'object') break clean;
      if (Object.getPrototypeOf(o) !== OBJECT || o.toJSON !== undefined) break clean;
      const mask = orderKeys.of(Object.keys(o));
      const st = (mask & K_STATUS) !== 0 ? o.status : undefined;
      const id = (mask & K_ID) !== 0 ? o.id : undefined;
      if (typeof st !== 'string' || st.length > MAX_COLUMN_STRING) break clean;
      // ids are given back as they are: only plain data here (an object id may hold a cycle)
      if (typeof id !== 'string' && (typeof id !== 'number' || id - id !== 0) && id !== undefined && id !== null) break clean;
      const statusIndex = statusOf.get(st);
      let r = readsOfIndex[statusIndex];
      if (r === undefined) r = readsOfIndex[statusIndex] = readsOfValue.get(st) ?? reads.unknown;
      let storeIndex = 0;
      if ((r & READS_STORE) !== 0 && (mask & K_STORE) !== 0) {
        const sid = o.store_id;
        if (typeof sid === 'string') {
          if (sid.length > MAX_COLUMN_STRING) break clean;
          storeIndex = storeOf.get(sid);
        } else if (typeof sid === 'number') {
          if (!Number.isFinite(sid)) break clean;
          storeIndex = interner.intern(String(sid));
        } else if (sid !== undefined && sid !== null) break clean;
      }
      let payIndex = 0;
      if ((r & READS_PAYMENT) !== 0 && (mask & K_PAYMENT) !== 0) {
        const pay = o.payment_status;
        if (typeof pay === 'string') {
          if (pay.length > MAX_COLUMN_STRING) break clean;
          payIndex = paymentOf.get(pay);
        } else if (pay !== undefined && pay !== null) break clean;
      }
      let present = 0;
      if ((r & READS_ITEMS) !== 0 && (mask & K_ITEMS) !== 0) {
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
            if (Object.getPrototypeOf(it) !== OBJECT || it.toJSON !== undefined) break clean;
            const im = itemKeys.of(Object.keys(it));
            const q = (im & K_QUANTITY) !== 0 ? it.quantity : undefined;
            const s = (im & K_IN_STOCK) !== 0 ? it.in_stock : undefined;
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
    // not clean: an invalid row for the engine, judged by checkMany afterwards
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
      const { items, strings, slow, ids } = marshal(orders, n, cols, reads, prototypesPolluted());
      const verdictOf = this.#plan(h, cols, n, items, strings, reads.any, target, fieldsText, actorText);
      const index = verdictOf.index;
      const table = verdictOf.table;
      const shared = new Array(table.length).fill(null);  // one frozen error array per verdict
      if (!slow && allBelow(index, n, table.length)) return collectAll(index, n, ids, table, shared);
      // The other orders go to the engine in batches (checkMany), read as check() reads them.
      let pending = slow ?? [];
      if (slow) for (let k = 0; k < slow.length; k++) index[slow[k]] = BAD_VERDICT;
      else pending = [];
      for (let i = 0; i < n; i++) if (index[i] !== BAD_VERDICT && index[i] >= table.length) pending.push(i);
      const judged = this.#checkMany(h, orders, pending, target, fieldsText, actorText);
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

  // check() for the orders at `indexes`, a few engine calls for all of them: the texts are joined
  // into JSON arrays of at most MAX_ARGUMENT_UNITS each. Map: order index -> {id, errors}.
  #checkMany(h, orders, indexes, target, fieldsText, actorText) {
    const out = new Map();
    const io = this.#flow._scratch;
    let batch = [];
    let texts = [];
    let units = 2;
    const flush = () => {
      if (batch.length === 0) return;
      const answer = JSON.parse(this.#engine.call((m) => {
        const len = io.write(m, [`[${texts.join(',')}]`, target, fieldsText, actorText]);
        const text = m.checkMany(h, io.ptr, len[0], len[1], len[2], len[3]);
        io.done(m);
        return text;
      }));
      const frozen = answer.table.map((errors) => deepFreeze(errors));
      for (let k = 0; k < batch.length; k++) out.get(batch[k]).errors = frozen[answer.verdicts[k]];
      batch = [];
      texts = [];
      units = 2;
    };
    for (const i of indexes) {
      const { text, id } = readOrder(orders[i], `orders[${i}]`);
      if (text.length > MAX_ARGUMENT_UNITS) throw tooLarge('planBulk(orders, to, fields, actor)', `orders[${i}]`, text.length);
      if (units + text.length + 1 > MAX_ARGUMENT_UNITS) flush();
      batch.push(i);
      texts.push(text);
      units += text.length + 1;
      out.set(i, { id, errors: null });
    }
    flush();
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

function planColumns(m, io, h, cols, n, items, tableText, reads, to, fieldsText, actorText) {
  // Layout: 8-byte aligned doubles first, then uint32 columns, then bytes.
  const itemCount = Math.max(items, 1);
  const bytes = itemCount * 16 + (n * 4) * 4 + (n + 1) * 4 + n * 2 + itemCount + 16;
  const base = m._malloc(bytes);
  if (!base) throw new RangeError('orderflow: out of memory for planBulk');
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
    const len = io.write(m, [tableText, to, fieldsText, actorText]);
    const verdicts = m.planBatch(h, n, pStatus, readStore ? pStore : 0, readPayment ? pPayment : 0,
      pValid, readItems ? pItemBegin : 0, readItems ? pKind : 0, readItems ? pStock : 0,
      readItems ? pQuantity : 0, readItems ? pPresent : 0, pOut, io.ptr, len[0], len[1], len[2], len[3]);
    io.done(m);
    const parsed = parseAnswer(verdicts);
    // The call may have grown memory: take a fresh view.
    const index = cols.verdict.subarray(0, n);
    index.set(new Uint32Array(m.HEAPU32.buffer, pOut, n));
    return { index, table: parsed };
  } finally {
    m._free(base);
  }
}

// The order's JSON text as check() and allowed() send it (order.js), bounded in size.
function orderJson(order, fn) {
  const { text } = readOrder(order);
  if (text.length > MAX_ARGUMENT_UNITS) throw tooLarge(fn, 'order', text.length);
  return text;
}

// ---- OrderFlow ---------------------------------------------------------------------------------

const BUILTIN_ID = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

/** A loaded engine: the built-in workflow ids and a way to load workflows. */
export class OrderFlow {
  #engine;
  #builtins = new Map();

  constructor(module, restart = null, memoryBudget = DEFAULT_MEMORY_BUDGET) {
    const engine = new Engine(module, restart ?? (() => { throw new Error('no way to restart'); }), memoryBudget);
    this.#engine = engine;
    this.workflows = Object.freeze(JSON.parse(module.builtinIds()));
    Object.defineProperty(this, '_columns', { value: new Columns(), enumerable: false });
    Object.defineProperty(this, '_scratch', { value: new Scratch(engine), enumerable: false });
  }

  /** A built-in workflow by id, a workflow document (object), or a workflow's JSON text. */
  workflow(source) {
    if (source instanceof Workflow) return source;
    if (typeof source === 'string') {
      if (BUILTIN_ID.test(source)) return this.#builtin(source);
      return this.loadText(source);
    }
    if (source !== null && typeof source === 'object') return this.loadText(toJson(source, 'workflow(source)', 'workflow'));
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
