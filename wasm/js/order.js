import { MAX_ARGUMENT_UNITS, tooLarge } from './args.js';

// How the module reads an order, the same way in check, allowed and planBulk (and in planBulk's
// fast path, facade.js marshal): as JSON.stringify sees it (its own enumerable string-keyed
// properties, toJSON applied, each accessor read once, nothing inherited, a Proxy through its
// traps), and only the parts the engine may read (docs/workflow-format.md, "How an order is read").

// The order's parts the engine may read: id, status, store_id, items (each item's sku, named in
// a stock refusal, quantity and in_stock) and the top-level fields the workflow's guards name
// (guardFields, e.g. payment_status). Nothing else is sent or looked at, so a BigInt or a cycle
// elsewhere in an order (say in `customer`) is never the engine's business.
const NO_FIELDS = Object.freeze([]);

function callToJSON(value, key) {
  if (value !== null && (typeof value === 'object' || typeof value === 'bigint')) {
    const toJSON = value.toJSON;
    if (typeof toJSON === 'function') return toJSON.call(value, key);
  }
  return value;
}

// A value the engine reads only by its kind (and, for a string, number or boolean, its value):
// what JSON.stringify would write for it, with objects and arrays reduced to `{}` and `[]` (so a
// cycle or a BigInt inside one is never serialized), and a BigInt (which JSON cannot write) or a
// part whose getter or toJSON throws read as an object: malformed if the engine reads that part,
// ignored if it does not (as planBulk's fast path, which reads only what the engine reads).
// undefined for what JSON leaves out (undefined, a function, a symbol).
function leaf(value, key) {
  let v;
  try {
    v = callToJSON(value, key);
  } catch {
    return {};
  }
  switch (typeof v) {
    case 'string':
    case 'number':
    case 'boolean':
      return v;
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    case 'bigint':
      return {};
    default:
      if (v === null) return null;
      if (v instanceof String || v instanceof Number || v instanceof Boolean) return v.valueOf();
      return Array.isArray(v) ? [] : {};
  }
}

// obj[key], or UNREADABLE when a getter (or a Proxy trap) throws.
const UNREADABLE = Symbol('unreadable');
function get(obj, key) {
  try {
    return obj[key];
  } catch {
    return UNREADABLE;
  }
}

function item(value, key) {
  try {
    const v = callToJSON(value, key);
    if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof String || v instanceof Number || v instanceof Boolean)
      return leaf(v, key);
    const out = {};
    for (const k of Object.keys(v)) {
      if (k === 'quantity' || k === 'in_stock' || k === 'sku') {
        const x = get(v, k);
        const y = x === UNREADABLE ? {} : leaf(x, k);
        if (y !== undefined) out[k] = y;
      }
    }
    return out;
  } catch {
    return {}; // a throwing toJSON or Proxy trap: an item the engine refuses if it reads items
  }
}

function items(value) {
  try {
    const v = callToJSON(value, 'items');
    if (!Array.isArray(v)) return leaf(v, 'items');
    const n = v.length;
    const out = new Array(n);
    for (let j = 0; j < n; j++) {
      const e = get(v, j);
      const x = e === UNREADABLE ? {} : item(e, String(j));
      out[j] = x === undefined ? null : x; // as JSON writes a hole or an undefined element
    }
    return out;
  } catch {
    return {};
  }
}

// A leaf part read from the order: its JSON form, or undefined when absent.
function part(order, key, fn, what) {
  const v = get(order, key);
  if (v === UNREADABLE) return {};
  // said before JSON.stringify copies it (a status of 400 M characters costs seconds)
  if (typeof v === 'string' && v.length > MAX_ARGUMENT_UNITS) throw tooLarge(fn, `${what}.${key}`, v.length);
  return leaf(v, key);
}

const ALL_PARTS = 7; // the engine's BatchReads bits: 1 store_id, 2 the guard fields, 4 items

/**
 * The JSON text of what the engine may read of `order` (`text`), the order's id as planBulk
 * reports it (`id`, null when absent), and `key`: the text without a plain id (the verdict does
 * not depend on one), so that planBulk asks the engine once per distinct malformed order.
 * `reads` (planBulk: the engine's batchReads answer for this target and actor) leaves out the
 * parts the engine will not read for this order's status, as planBulk's fast path does; without
 * it (check, allowed) every part is sent. `fields`: the workflow's guard fields (the engine's
 * guardFields), read like payment_status always was. A TypeError when the id cannot be written as JSON (it
 * is given back to the caller, so it must be data), a part is too large, or the order's own
 * toJSON, its id's getter or a Proxy's ownKeys trap throws (nothing of the order can be read then).
 */
export function readOrder(order, fn, what = 'order', reads = null, fields = NO_FIELDS) {
  let out;
  let id;
  let hasId = false;
  try {
    const o = callToJSON(order, '');
    if (o === null || typeof o !== 'object' || Array.isArray(o) || o instanceof String || o instanceof Number || o instanceof Boolean) {
      out = leaf(o, '');
    } else {
      out = {};
      let store;
      let values = null; // the guard fields' parts, by column
      let list;
      let seen = 0; // which of store_id (1), a guard field (2), items (4) are the order's
      for (const k of Object.keys(o)) {
        switch (k) {
          case 'id':
            id = o.id;
            hasId = true;
            break;
          case 'status': {
            const x = part(o, k, fn, what);
            if (x !== undefined) out.status = x;
            break;
          }
          case 'store_id':
            store = part(o, k, fn, what);
            seen |= 1;
            break;
          case 'items':
            list = get(o, k);
            seen |= 4;
            break;
          default: {
            const f = fields.length === 0 ? -1 : fields.indexOf(k);
            if (f >= 0) {
              (values ??= new Array(fields.length))[f] = part(o, k, fn, what);
              seen |= 2;
            }
            break;
          }
        }
      }
      let r = ALL_PARTS;
      if (reads !== null) {
        const st = out.status;
        r = typeof st === 'string' ? (reads.byValue.get(st) ?? reads.unknown) : 0;
      }
      if ((seen & r & 1) !== 0 && store !== undefined) out.store_id = store;
      if ((seen & r & 2) !== 0) {
        for (let f = 0; f < fields.length; f++) {
          // defined, not assigned: a field may be named like an Object.prototype accessor (__proto__)
          if (values[f] !== undefined)
            Object.defineProperty(out, fields[f], { value: values[f], enumerable: true, writable: true, configurable: true });
        }
      }
      if ((seen & r & 4) !== 0) {
        const x = list === UNREADABLE ? {} : items(list);
        if (x !== undefined) out.items = x;
      }
    }
  } catch (e) {
    if (e instanceof TypeError && e.message.startsWith('orderflow:')) throw e;
    throw new TypeError(`orderflow: ${what} cannot be read (${e && e.message})`, { cause: e });
  }
  if (out === undefined) return { text: 'null', key: 'null', id: null };
  const body = JSON.stringify(out); // only strings, numbers, booleans, null and stubs: never throws
  if (!hasId) return { text: body, key: body, id: null };
  let idText;
  try {
    idText = JSON.stringify(id);
  } catch (e) {
    throw new TypeError(`orderflow: ${what}.id cannot be converted to JSON (${e && e.message})`, { cause: e });
  }
  if (idText === undefined) return { text: body, key: body, id: null }; // undefined, a function, a symbol
  const text = body === '{}' ? `{"id":${idText}}` : `{"id":${idText},${body.slice(1)}`;
  const plain = id === null || typeof id !== 'object';
  return { text, key: plain ? body : text, id }; // given back as given (NaN, Infinity too)
}
