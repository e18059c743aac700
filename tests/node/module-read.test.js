// One rule for reading an order (docs/workflow-format.md, "How an order is read"): as
// JSON.stringify sees it, own enumerable properties only, the same in check, allowed and planBulk
// (whose fast path reads orders itself). Exotic objects, alone and mixed into batches of ordinary
// ones, and a seeded fuzz over combinations of them: planBulk's verdict for each order must be
// check's, and where check throws a TypeError, planBulk must too.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { importPackage } from './support/package.js';
import { random } from './support/orders.js';

let flow;
let cms;
let delivery;
before(async () => {
  const orderflow = await importPackage();
  flow = await orderflow.createOrderFlow();
  cms = flow.workflow('cms');
  delivery = flow.workflow('delivery');
});

const manager = { role: 'store_manager', stores: ['s1'] };
const fulfillment = { role: 'fulfillment', stores: ['s1'] };
const admin = { role: 'admin' };
// (to, actor) pairs that read each part of an order: status, store (store-scoped roles),
// payment_status (new -> processing has the payment guard in cms), items (the stock guard).
const SCENARIOS = [
  ['processing', manager],
  ['processing', fulfillment],
  ['processing', admin],
  ['cancelled', manager],
  ['completed', manager],
  ['ready_for_pickup', fulfillment],
];

const base = () => ({
  id: 7,
  status: 'new',
  store_id: 's1',
  payment_status: 'paid',
  items: [
    { sku: 'A', quantity: 1, in_stock: true },
    { sku: 'B', quantity: 2, in_stock: 5 },
  ],
});
const hide = (o, key) => {
  const v = o[key];
  delete o[key];
  Object.defineProperty(o, key, { value: v, enumerable: false });
  return o;
};

// [<hole>, item]: an array of length 2 whose index 0 was never set
const withHole = (item) => Object.assign(new Array(2), { 1: item });

// Each entry: [name, () => order]. Made afresh per use (some are consumed by their toJSON etc.).
const EXOTIC = [
  ['plain', () => base()],
  ['non-enumerable status', () => hide(base(), 'status')],
  ['non-enumerable store_id', () => hide(base(), 'store_id')],
  ['non-enumerable payment_status', () => hide({ ...base(), status: 'processing' }, 'payment_status')],
  ['non-enumerable items', () => hide(base(), 'items')],
  [
    'non-enumerable in_stock',
    () => {
      const o = base();
      hide(o.items[0], 'in_stock');
      return o;
    },
  ],
  ['non-enumerable id', () => hide(base(), 'id')],
  ['Proxy hiding status from ownKeys', () => new Proxy(base(), { ownKeys: (t) => Reflect.ownKeys(t).filter((k) => k !== 'status') })],
  ['Proxy hiding store_id from ownKeys', () => new Proxy(base(), { ownKeys: (t) => Reflect.ownKeys(t).filter((k) => k !== 'store_id') })],
  ['Proxy answering another status on get', () => new Proxy(base(), { get: (t, k) => (k === 'status' ? 'completed' : t[k]) })],
  [
    'Proxy calling store_id non-enumerable',
    () =>
      new Proxy(base(), {
        getOwnPropertyDescriptor: (t, k) => {
          const d = Reflect.getOwnPropertyDescriptor(t, k);
          if (k === 'store_id' && d) d.enumerable = false;
          return d;
        },
      }),
  ],
  ['Proxy with a lying has trap', () => new Proxy(base(), { has: () => false })],
  [
    'Proxy of an item',
    () => {
      const o = base();
      o.items[0] = new Proxy({ quantity: 1, in_stock: false }, { get: (t, k) => (k === 'in_stock' ? true : t[k]) });
      return o;
    },
  ],
  [
    'Proxy of an item array',
    () => {
      const o = base();
      o.items = new Proxy(o.items, {});
      return o;
    },
  ],
  [
    'getter status',
    () => {
      const o = base();
      delete o.status;
      Object.defineProperty(o, 'status', { get: () => 'new', enumerable: true });
      return o;
    },
  ],
  [
    'getter on the prototype',
    () =>
      Object.assign(
        Object.create({
          get status() {
            return 'new';
          },
        }),
        { id: 7, store_id: 's1' },
      ),
  ],
  [
    'throwing getter',
    () => {
      const o = { ...base(), status: 'processing' };
      delete o.payment_status;
      Object.defineProperty(o, 'payment_status', {
        get() {
          throw new Error('boom');
        },
        enumerable: true,
      });
      return o;
    },
  ],
  [
    'symbol keys',
    () => {
      const o = base();
      delete o.status;
      o[Symbol.for('status')] = 'new';
      return o;
    },
  ],
  ['BigInt id', () => ({ ...base(), id: 10n })],
  ['BigInt store_id', () => ({ ...base(), store_id: 1n })],
  [
    'BigInt quantity',
    () => {
      const o = base();
      o.items[0].quantity = 1n;
      return o;
    },
  ],
  [
    'circular id',
    () => {
      const o = base();
      o.id = { o };
      return o;
    },
  ],
  [
    'circular elsewhere',
    () => {
      const o = base();
      o.customer = { o };
      o.total = 10n;
      return o;
    },
  ],
  [
    'circular items',
    () => {
      const o = base();
      o.items.push(o.items);
      return o;
    },
  ],
  [
    'circular item',
    () => {
      const o = base();
      o.items[0].self = o.items[0];
      return o;
    },
  ],
  [
    'class instance',
    () =>
      new (class Order {
        constructor() {
          Object.assign(this, base());
        }
      })(),
  ],
  [
    'class with a status getter',
    () =>
      new (class Order {
        constructor() {
          this.id = 7;
          this.store_id = 's1';
        }
        get status() {
          return 'new';
        }
      })(),
  ],
  ['array as an order', () => Object.assign([1, 2], { status: 'new' })],
  ['frozen', () => Object.freeze(base())],
  [
    'deep frozen',
    () => {
      const o = base();
      o.items.forEach(Object.freeze);
      Object.freeze(o.items);
      return Object.freeze(o);
    },
  ],
  ['null prototype', () => Object.assign(Object.create(null), base())],
  ['toJSON', () => ({ id: 8, status: 'completed', toJSON: () => base() })],
  [
    'toJSON on an item',
    () => {
      const o = base();
      o.items[0] = { sku: 'A', quantity: 1, in_stock: false, toJSON: () => ({ in_stock: true }) };
      return o;
    },
  ],
  ['String object status', () => ({ ...base(), status: new String('new') })],
  ['NaN id', () => ({ ...base(), id: NaN })],
  ['Infinity store_id', () => ({ ...base(), store_id: Infinity })],
  ['numeric store_id', () => ({ ...base(), store_id: 1 })],
  ['function status', () => ({ ...base(), status: () => 'new' })],
  ['undefined store_id', () => ({ ...base(), store_id: undefined })],
  [
    'hole in items',
    () => {
      const o = base();
      o.items = withHole({ quantity: 1, in_stock: true });
      return o;
    },
  ],
  ['JSON __proto__ key', () => JSON.parse('{"id":7,"status":"new","store_id":"s1","__proto__":{"status":"completed"}}')],
  ['lone surrogate store_id', () => ({ ...base(), store_id: 's1\ud800' })],
  ['long status', () => ({ ...base(), status: 'n'.repeat(5000) })],
];

// Prototype pollution elsewhere in the page, undone after each use.
const POLLUTED = [
  [
    'Object.prototype.in_stock = true',
    () => {
      const o = base();
      delete o.items[0].in_stock;
      return o;
    },
    'in_stock',
    true,
  ],
  [
    'Object.prototype.status = "new"',
    () => {
      const o = base();
      delete o.status;
      return o;
    },
    'status',
    'new',
  ],
  [
    'Object.prototype.store_id = "s1"',
    () => {
      const o = base();
      delete o.store_id;
      return o;
    },
    'store_id',
    's1',
  ],
  [
    'Object.prototype.payment_status = "paid"',
    () => {
      const o = base();
      delete o.payment_status;
      return o;
    },
    'payment_status',
    'paid',
  ],
  [
    'Array.prototype[0] with a hole',
    () => {
      const o = base();
      o.items = withHole({ quantity: 1, in_stock: true });
      return o;
    },
    0,
    { quantity: 1, in_stock: true },
  ],
];

function withPollution(key, value, fn) {
  const proto = typeof key === 'number' ? Array.prototype : Object.prototype;
  Object.defineProperty(proto, key, { value, enumerable: true, configurable: true, writable: true });
  try {
    return fn();
  } finally {
    delete proto[key];
  }
}

const verdictOf = (fn) => {
  try {
    const r = fn();
    return r.ok ? 'ok' : r.errors;
  } catch (e) {
    if (e instanceof TypeError) return 'TypeError';
    throw e;
  }
};

// planBulk's verdict for the order at `at` in `orders` (or 'TypeError' for the whole call).
function bulkVerdict(wf, orders, at, to, actor) {
  let plan;
  try {
    plan = wf.planBulk(orders, to, {}, actor);
  } catch (e) {
    if (e instanceof TypeError) return 'TypeError';
    throw e;
  }
  // ids are distinct per position in these batches: 1000 + position for the ordinary ones
  const others = orders.length - 1;
  assert.equal(plan.eligible.length + plan.blocked.length, orders.length);
  const all = [...plan.eligible.map((id) => ({ id, v: 'ok' })), ...plan.blocked.map((b) => ({ id: b.id, v: b.errors }))];
  const mine = all.filter((x) => !(typeof x.id === 'number' && x.id >= 1000 && x.id < 1000 + orders.length));
  assert.equal(mine.length, 1, `one answer for the exotic order among ${others} ordinary ones`);
  return mine[0].v;
}

function agree(wf, name, make, to, actor) {
  const expected = verdictOf(() => wf.check(make(), to, {}, actor));
  const alone = bulkVerdict(wf, [make()], 0, to, actor);
  assert.deepEqual(alone, expected, `${name}: planBulk([order]) vs check, ${wf.id} -> ${to} as ${actor.role}`);
  if (expected === 'TypeError') return expected;
  const mixed = [];
  for (let i = 0; i < 5; i++) mixed.push({ ...base(), id: 1000 + mixed.length });
  mixed.splice(2, 0, make());
  assert.deepEqual(bulkVerdict(wf, mixed, 2, to, actor), expected, `${name}: in a batch, ${wf.id} -> ${to} as ${actor.role}`);
  return expected;
}

test('each exotic order gets the same verdict from planBulk (alone and in a batch) as from check', () => {
  const seen = new Map();
  for (const [name, make] of EXOTIC) {
    for (const [to, actor] of SCENARIOS) seen.set(`${name} ${to} ${actor.role}`, agree(cms, name, make, to, actor));
  }
  // The rule itself, not only agreement: what JSON does not see is not the order's.
  const at = (name, to = 'processing', role = 'store_manager') => seen.get(`${name} ${to} ${role}`);
  assert.equal(at('plain'), 'ok');
  assert.equal(at('non-enumerable status')[0].code, 'invalid_order');
  assert.equal(at('Proxy hiding status from ownKeys')[0].code, 'invalid_order');
  assert.equal(at('non-enumerable store_id')[0].code, 'forbidden_store');
  assert.equal(at('Proxy hiding store_id from ownKeys')[0].code, 'forbidden_store');
  assert.equal(at('Proxy calling store_id non-enumerable')[0].code, 'forbidden_store');
  assert.equal(at('non-enumerable payment_status', 'completed')[0].code, 'payment_required');
  assert.equal(at('non-enumerable in_stock', 'processing', 'fulfillment')[0].code, 'inventory_short');
  assert.equal(at('getter on the prototype')[0].code, 'invalid_order');
  assert.equal(at('class with a status getter')[0].code, 'invalid_order');
  assert.equal(at('getter status'), 'ok');
  assert.equal(at('BigInt id'), 'TypeError');
  assert.equal(at('circular id'), 'TypeError');
  assert.equal(at('throwing getter', 'completed')[0].code, 'invalid_order', 'payment_status is read here, and unreadable');
  assert.equal(at('throwing getter', 'cancelled'), 'ok', 'payment_status is not read when cancelling');
  assert.equal(at('BigInt store_id')[0].code, 'invalid_order');
  assert.equal(at('BigInt quantity', 'cancelled'), 'ok', 'items are not read when cancelling');
  assert.equal(at('BigInt quantity', 'processing', 'fulfillment')[0].code, 'invalid_order');
  assert.equal(at('circular elsewhere'), 'ok', 'parts the engine never reads are not read');
  assert.equal(at('class instance'), 'ok');
  assert.equal(at('null prototype'), 'ok');
  assert.equal(at('toJSON'), 'ok');
  assert.equal(at('toJSON on an item', 'processing', 'fulfillment'), 'ok');
  assert.equal(at('array as an order')[0].code, 'invalid_order');
  assert.equal(at('lone surrogate store_id')[0].code, 'forbidden_store');
});

test('prototype pollution never makes an order eligible, in check or planBulk', () => {
  for (const [name, make, key, value] of POLLUTED) {
    for (const [to, actor] of SCENARIOS) {
      const clean = verdictOf(() => cms.check(make(), to, {}, actor));
      const polluted = withPollution(key, value, () => agree(cms, name, make, to, actor));
      if (typeof key !== 'number')
        assert.deepEqual(polluted, clean, `${name}: the same verdict as without the pollution (${to}, ${actor.role})`);
    }
  }
  const outOfStock = base();
  delete outOfStock.items[0].in_stock;
  withPollution('in_stock', true, () => {
    assert.equal(cms.check(outOfStock, 'processing', {}, fulfillment).errors[0].code, 'inventory_short');
    assert.equal(cms.planBulk([outOfStock], 'processing', {}, fulfillment).eligible.length, 0);
  });
});

// A seeded fuzz: random orders built from random parts, each part made exotic at random.
function fuzzOrder(rnd, wf) {
  const pick = (list) => list[Math.floor(rnd() * list.length)];
  const statuses = [...wf.statuses.map((s) => s.id), 'shipped', 'nope'];
  const values = {
    id: () => pick([1, 2.5, 's', null, undefined, NaN, 10n, { x: 1 }, [1]]),
    status: () => pick([...statuses, ...statuses, 5, null, new String('new'), '\ud800']),
    store_id: () => pick(['s1', 's2', 1, null, undefined, Infinity, 1n, {}, 's1\udc00']),
    payment_status: () => pick(['paid', 'pending', null, 3, undefined]),
    items: () => pick([undefined, null, 'x', [], Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => fuzzItem(rnd))]),
  };
  const o = pick([() => ({}), () => Object.create(null), () => new (class X {})()])();
  for (const key of Object.keys(values)) {
    if (rnd() < 0.15) continue;
    const v = values[key]();
    const mode = rnd();
    if (mode < 0.08) Object.defineProperty(o, key, { value: v, enumerable: false, configurable: true });
    else if (mode < 0.14) Object.defineProperty(o, key, { get: () => v, enumerable: true, configurable: true });
    else o[key] = v;
  }
  if (rnd() < 0.05) o.extra = 10n;
  if (rnd() < 0.08) {
    const hidden = pick(Object.keys(values)); // decided once: a Proxy that answers the same each time
    return new Proxy(o, { ownKeys: (t) => Reflect.ownKeys(t).filter((k) => k !== hidden) });
  }
  if (rnd() < 0.03) Object.freeze(o);
  return o;
}

function fuzzItem(rnd) {
  const it = {};
  const r = rnd();
  if (r < 0.8) it.quantity = [1, 2, 0, -1, 1.5, '1', null, 1n][Math.floor(rnd() * 8)];
  const s = [true, false, 3, 0, null, 'yes', undefined][Math.floor(rnd() * 7)];
  if (rnd() < 0.1) Object.defineProperty(it, 'in_stock', { value: s, enumerable: false });
  else if (s !== undefined) it.in_stock = s;
  return rnd() < 0.05 ? 7 : it;
}

test('fuzz: 3,000 random orders with exotic parts, planBulk equals check order by order', () => {
  const rnd = random(11);
  for (const wf of [cms, delivery]) {
    for (let round = 0; round < 3; round++) {
      const orders = Array.from({ length: 500 }, () => fuzzOrder(rnd, wf));
      for (const [to, actor] of [
        ['processing', manager],
        ['cancelled', admin],
        ['processing', fulfillment],
        ['delivered', { role: 'driver', stores: ['s1'] }],
      ]) {
        const expected = orders.map((o) => verdictOf(() => wf.check(o, to, {}, actor)));
        const bad = expected.indexOf('TypeError');
        // A TypeError for one order is a TypeError for the call; the rest is compared without it.
        const usable = orders.filter((_, i) => expected[i] !== 'TypeError');
        const want = expected.filter((v) => v !== 'TypeError');
        if (bad >= 0) assert.throws(() => wf.planBulk(orders, to, {}, actor), TypeError);
        const plan = wf.planBulk(usable, to, {}, actor);
        const got = [];
        let e = 0;
        let b = 0;
        for (let i = 0; i < usable.length; i++) got.push(want[i] === 'ok' ? (e++, 'ok') : plan.blocked[b++].errors);
        assert.equal(e, plan.eligible.length, `${wf.id} -> ${to}: eligible count`);
        assert.deepEqual(got, want, `${wf.id} -> ${to} as ${actor.role}`);
      }
    }
  }
});

test('lone surrogates keep store ids apart, the same in check, allowed and planBulk', () => {
  const order = { ...base(), store_id: '\ud800' };
  const other = { role: 'store_manager', stores: ['\udc00'] };
  const same = { role: 'store_manager', stores: ['\ud800'] };
  assert.equal(cms.check(order, 'processing', {}, other).errors[0].code, 'forbidden_store');
  assert.equal(cms.check(order, 'processing', {}, same).ok, true);
  assert.equal(cms.allowed(order, other).length, 0);
  assert.ok(cms.allowed(order, same).length > 0);
  assert.deepEqual(cms.planBulk([order, { ...order, id: 8, store_id: '\udc00' }], 'processing', {}, other).eligible, [8]);
  // two different lone surrogates in the same place of an otherwise equal id never collide
  const plan = cms.planBulk(
    [
      { ...order, store_id: 'a\ud800' },
      { ...order, id: 8, store_id: 'a\udbff' },
    ],
    'processing',
    {},
    { role: 'store_manager', stores: ['a\ud800'] },
  );
  assert.deepEqual(plan.eligible, [7]);
  // a workflow document is text to show: there, as in field values, a lone surrogate is U+FFFD
  const doc = { ...cms.document, id: 'cms_copy', name: 'CMS \ud800' };
  assert.equal(flow.workflow(doc).name, 'CMS \ufffd');
});
