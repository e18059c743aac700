// planBulk's fast path: orders laid out as columns (typed arrays) in the wasm heap, judged by the
// engine's planBatch in one call. No workflow rule here: which parts of an order to copy comes
// from the engine (batchReads), every verdict from planBatch.
import { deepFreeze } from './args.js';

export const BAD_VERDICT = 0xffffffff;
// Bits of the engine's batchReads answer (core: BatchReads).
export const READS_STORE = 1;
export const READS_FIELDS = 2; // the order fields the workflow's guards name (its guardFields)
export const READS_ITEMS = 4;

// Longer strings in an order go to the per-order path (their table would be copied whole).
const MAX_COLUMN_STRING = 1024;
// Bits of the order's own enumerable keys that the fast path reads (see keyMask).
const K_ID = 1;
const K_STATUS = 2;
const K_STORE = 4;
const K_ITEMS = 16;
const K_QUANTITY = 32;
const K_IN_STOCK = 64;
const K_SKU = 128;

// ---- planBulk marshalling ----------------------------------------------------------------------

// Scratch columns reused between calls (grown by doubling); copied into the wasm heap in one go.
// The interning state and the batchReads answer are reused too (reset per call), not created per
// call: marshal's optimised code depends on the shapes of the objects it reads, and the shape of
// an object made per call dies with it at the next full garbage collection, which throws that
// code away (measured: the first planBulk after a collection took 2-3x as long).
export class Columns {
  constructor() {
    this.busy = false;
    this.ids = []; // the clean orders' ids, emptied (set to null) after each call
    this.orders = 0;
    this.items = 0;
    this.fieldSlots = 0; // this.fields holds this many columns of this.orders rows
    this.grow(1024, 4096, 1);
    this.interner = new Interner();
    this.statusOf = new Recent(this.interner);
    this.storeOf = new Recent(this.interner);
    this.skuOf = new Recent(this.interner);
    this.fieldOf = []; // one Recent per guard field column
    this.readsOfIndex = [];
    this.reads = new BatchReads();
  }

  grow(orders, items, fieldSlots = 0) {
    if (orders > this.orders || fieldSlots > this.fieldSlots) {
      // column f of a call with n orders is fields[f * n, f * n + n) (the layout planBatch reads)
      this.fieldSlots = Math.max(fieldSlots, this.fieldSlots);
      this.fields = new Uint32Array(Math.max(orders, this.orders) * this.fieldSlots);
    }
    if (orders > this.orders) {
      this.orders = orders;
      this.status = new Uint32Array(orders);
      this.store = new Uint32Array(orders);
      this.valid = new Uint8Array(orders);
      this.itemsPresent = new Uint8Array(orders);
      this.itemBegin = new Uint32Array(orders + 1);
      this.verdict = new Uint32Array(orders);
    }
    if (items > this.items) {
      const old = this.items ? { kind: this.kind, stock: this.stock, quantity: this.quantity, sku: this.sku } : null;
      this.items = items;
      this.kind = new Uint8Array(items);
      this.stock = new Float64Array(items);
      this.quantity = new Float64Array(items);
      this.sku = new Uint32Array(items);
      if (old) {
        this.kind.set(old.kind);
        this.stock.set(old.stock);
        this.quantity.set(old.quantity);
        this.sku.set(old.sku);
      }
    }
  }
}

// The strings of a batch (status values, store ids, guard field values, skus), each given an index once.
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
    const slot = n === 0 ? 0 : (n * 31 + s.charCodeAt(0) * 7 + s.charCodeAt(n >> 1) * 3 + s.charCodeAt(n - 1)) & (SLOTS - 1);
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

// Which of the keys the fast path reads are the object's own enumerable ones. for-in lists what
// Object.keys and JSON.stringify list (through a Proxy's ownKeys and getOwnPropertyDescriptor
// traps too) plus inherited enumerable keys, which the caller rules out (proto checks, and
// prototypesPolluted() per call). A for-in that only compares keys allocates nothing; Object.keys
// allocates an array per order (measured slower in isolation). The guard fields (the workflow's
// guardFields: `first`, and `more` mapping the others to their column) are reported in
// fieldBits, a bit per column.
let fieldBits = 0;
function orderMask(o, first, more) {
  let m = 0;
  let f = 0;
  for (const k in o) {
    switch (k) {
      case 'id':
        m |= K_ID;
        break;
      case 'status':
        m |= K_STATUS;
        break;
      case 'store_id':
        m |= K_STORE;
        break;
      case 'items':
        m |= K_ITEMS;
        break;
      default:
        if (k === first) f |= 1;
        else if (more !== null) {
          const slot = more.get(k);
          if (slot !== undefined) f |= 1 << slot;
        }
        break;
    }
  }
  fieldBits = f;
  return m;
}

function itemMask(it) {
  let m = 0;
  for (const k in it) {
    if (k === 'quantity') m |= K_QUANTITY;
    else if (k === 'in_stock') m |= K_IN_STOCK;
    else if (k === 'sku') m |= K_SKU;
  }
  return m;
}

// True when an inherited property could stand in for one the fast path reads (prototype
// pollution elsewhere in the page, e.g. `Object.prototype.in_stock = true`): then no order is read
// by the fast path (for-in would list the inherited key).
// The same for the workflow's guard fields (a field named like an Object.prototype member, say
// `constructor`, always sends the orders the per-order way).
const READ_KEYS = ['id', 'status', 'store_id', 'items', 'quantity', 'in_stock', 'sku', 'toJSON'];
export function prototypesPolluted(fields) {
  for (let i = 0; i < READ_KEYS.length; i++) if (READ_KEYS[i] in Object.prototype) return true;
  for (let i = 0; i < fields.length; i++) if (fields[i] in Object.prototype) return true;
  return false;
}

// Fills the columns for planBatch. An order is "clean" when the columns say everything the
// engine would read from it, read the way check() reads it (order.js): a property counts only when
// it is among the object's own enumerable keys (orderMask), so nothing inherited, nothing
// non-enumerable; only plain objects (prototype Object.prototype or null) are read here.
// Anything else (malformed, or merely unusual: toJSON, non-finite numbers, object or BigInt ids,
// long strings) is left to the per-order path, so the engine has the last word on it. `reads`
// (the engine's batchReads) says, per stored status value, which parts of an order the verdict
// reads besides its status: only those are looked at, checked and copied; the engine never reads
// the others (docs/workflow-format.md: an order is read only as far as the decision needs it), so
// they stay 0 (absent). `fields`: the workflow's guard fields, one column each.
export function marshal(orders, n, cols, reads, polluted, fields) {
  const readsOfValue = reads.byValue;
  const { interner, statusOf, storeOf, skuOf, fieldOf, readsOfIndex } = cols;
  const nFields = fields.length;
  interner.reset();
  statusOf.reset();
  storeOf.reset();
  skuOf.reset();
  while (fieldOf.length < nFields) fieldOf.push(new Recent(interner));
  for (let f = 0; f < nFields; f++) fieldOf[f].reset();
  const firstField = nFields > 0 ? fields[0] : null;
  const moreFields = nFields > 1 ? new Map(fields.slice(1).map((k, f) => [k, f + 1])) : null;
  readsOfIndex.length = 0; // interned status index -> bits
  cols.grow(n, 0, nFields);
  const { status, store, fields: fieldCol, valid, itemBegin, itemsPresent } = cols;
  let { kind, stock, quantity, sku } = cols;
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
      // JSON.stringify writes arrays and boxed strings, numbers, booleans otherwise: the per-order way
      if (polluted || o === null || typeof o !== 'object' || Array.isArray(o)) break clean;
      const proto = Object.getPrototypeOf(o);
      if ((proto !== OBJECT && proto !== null) || o.toJSON !== undefined) break clean;
      const mask = orderMask(o, firstField, moreFields);
      const has = fieldBits;
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
      if ((r & READS_FIELDS) !== 0 && has !== 0) {
        for (let f = 0; f < nFields; f++) {
          let index = 0;
          if ((has & (1 << f)) !== 0) {
            const v = o[fields[f]];
            if (typeof v === 'string') {
              if (v.length > MAX_COLUMN_STRING) break clean;
              index = fieldOf[f].get(v);
            } else if (v !== undefined && v !== null) break clean;
          }
          fieldCol[f * n + i] = index;
        }
      } else {
        for (let f = 0; f < nFields; f++) fieldCol[f * n + i] = 0;
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
            ({ kind, stock, quantity, sku } = cols);
            itemCap = cols.items;
          }
          let k = items;
          for (let j = 0; j < m; j++, k++) {
            const it = list[j];
            if (it === null || typeof it !== 'object' || Array.isArray(it)) break clean;
            const itemProto = Object.getPrototypeOf(it);
            if ((itemProto !== OBJECT && itemProto !== null) || it.toJSON !== undefined) break clean;
            const im = itemMask(it);
            const q = (im & K_QUANTITY) !== 0 ? it.quantity : undefined;
            const s = (im & K_IN_STOCK) !== 0 ? it.in_stock : undefined;
            if (q === undefined) quantity[k] = NaN;
            else if (typeof q === 'number' && q >= 0 && q !== Infinity) quantity[k] = q;
            else break clean;
            if (s === true) {
              kind[k] = 2;
              stock[k] = 0;
            } else if (s === false) {
              kind[k] = 1;
              stock[k] = 0;
            } else if (s === undefined) {
              kind[k] = 0;
              stock[k] = 0;
            } else if (typeof s === 'number' && s - s === 0) {
              kind[k] = 3;
              stock[k] = s;
            } else break clean;
            // the sku only names a short item in a stock refusal: text as check() reads it (a
            // string, or a finite number as its text), anything else none (0)
            const sk = (im & K_SKU) !== 0 ? it.sku : undefined;
            if (typeof sk === 'string') {
              if (sk.length > MAX_COLUMN_STRING) break clean;
              sku[k] = skuOf.get(sk);
            } else sku[k] = typeof sk === 'number' && sk - sk === 0 ? interner.intern(String(sk)) : 0;
          }
          items = k;
        }
      }
      status[i] = statusIndex;
      store[i] = storeIndex;
      itemsPresent[i] = present;
      valid[i] = 1;
      ids[i] = id === undefined ? null : id;
      continue;
    }
    // not clean: an invalid row for the engine, judged by checkMany afterwards
    status[i] = 0;
    store[i] = 0;
    for (let f = 0; f < nFields; f++) fieldCol[f * n + i] = 0;
    itemsPresent[i] = 0;
    valid[i] = 0;
    (slow ??= []).push(i);
  }
  itemBegin[n] = items;
  return { items, strings: interner.strings, slow, ids };
}

// The columns when no order could be read by marshal: every row invalid, every order slow.
export function marshalNone(n, cols) {
  cols.interner.reset();
  cols.valid.fill(0, 0, n);
  cols.status.fill(0, 0, n);
  cols.ids.fill(null, 0, n);
  cols.itemBegin.fill(0, 0, n + 1);
  const slow = new Array(n);
  for (let i = 0; i < n; i++) slow[i] = i;
  return { items: 0, strings: cols.interner.strings, slow, ids: cols.ids };
}

export function allBelow(index, n, limit) {
  for (let i = 0; i < n; i++) if (index[i] >= limit) return false;
  return true;
}

// The whole answer when every order has a verdict from the columns: both arrays allocated at
// their final length (counted first), no growing by push.
export function collectAll(index, n, ids, table, shared) {
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
