// Bad input of every kind through the installed module: never a crash, never a bare number;
// a clear TypeError for wrong argument types, or a refusal with invalid_order / invalid_actor.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { importPackage } from './support/package.js';

let orderflow;
let flow;
let cms;
let delivery;
before(async () => {
  orderflow = await importPackage();
  flow = await orderflow.createOrderFlow();
  cms = flow.workflow('cms');
  delivery = flow.workflow('delivery');
});

const admin = { role: 'admin', stores: [] };
const order = { id: 1, status: 'new', store_id: 's1', payment_status: 'paid', items: [{ sku: 'A', quantity: 1, in_stock: true }] };

function assertRefused(result, code, what) {
  assert.equal(result.ok, false, `${what}: should be refused`);
  assert.ok(Array.isArray(result.errors) && result.errors.length >= 1, what);
  assert.equal(result.errors[0].code, code, `${what}: ${JSON.stringify(result.errors)}`);
  assert.equal(typeof result.errors[0].message, 'string');
  assert.ok(result.errors[0].message.length > 0 && result.errors[0].message.length < 2000, `${what}: message is short`);
}

test('malformed orders are refused with invalid_order by check, allowed and planBulk alike', () => {
  // Each broken part is judged by a change that reads it (docs/workflow-format.md): the status
  // always, the store for a store-scoped role, the payment state for a change guarded on it
  // (processing -> completed), the items for one guarded on stock (new -> processing).
  const manager = { role: 'store_manager', stores: ['s1'] };
  const statusCase = (o) => ({ order: o, to: 'processing', actor: admin, allowedReads: true });
  const storeCase = (o) => ({ order: o, to: 'cancelled', actor: manager, allowedReads: true });
  const paymentCase = (o) => ({ order: { ...o, status: 'processing' }, to: 'completed', actor: admin, allowedReads: false });
  const itemsCase = (o) => ({ order: o, to: 'processing', actor: admin, allowedReads: false });
  const bad = {
    null: statusCase(null),
    undefined: statusCase(undefined),
    'a number': statusCase(42),
    'a string': statusCase('new'),
    'an array': statusCase([order]),
    'a boolean': statusCase(true),
    'no status': statusCase({ id: 1, store_id: 's1' }),
    'status not a string': statusCase({ id: 1, status: 3 }),
    'status null': statusCase({ id: 1, status: null }),
    'store_id an object': storeCase({ ...order, store_id: { id: 's1' } }),
    'store_id a boolean': storeCase({ ...order, store_id: true }),
    'payment_status a number': paymentCase({ ...order, payment_status: 1 }),
    'items an object': itemsCase({ ...order, items: { sku: 'A' } }),
    'items a string': itemsCase({ ...order, items: 'A' }),
    'an item null': itemsCase({ ...order, items: [null] }),
    'an item a number': itemsCase({ ...order, items: [3] }),
    'quantity negative': itemsCase({ ...order, items: [{ sku: 'A', quantity: -1, in_stock: true }] }),
    'quantity a string': itemsCase({ ...order, items: [{ sku: 'A', quantity: '2', in_stock: true }] }),
    'quantity NaN (JSON null)': itemsCase({ ...order, items: [{ sku: 'A', quantity: NaN, in_stock: true }] }),
    'quantity Infinity (JSON null)': itemsCase({ ...order, items: [{ sku: 'A', quantity: Infinity, in_stock: true }] }),
    'in_stock a string': itemsCase({ ...order, items: [{ sku: 'A', quantity: 1, in_stock: 'yes' }] }),
    'in_stock an object': itemsCase({ ...order, items: [{ sku: 'A', quantity: 1, in_stock: {} }] }),
  };
  for (const [name, c] of Object.entries(bad)) {
    assertRefused(cms.check(c.order, c.to, {}, c.actor), 'invalid_order', `check: ${name}`);
    const plan = cms.planBulk([c.order], c.to, {}, c.actor);
    assert.deepEqual(plan.eligible, [], `planBulk: ${name}`);
    assert.equal(plan.blocked[0].errors[0].code, 'invalid_order', `planBulk: ${name}`);
    const options = cms.allowed(c.order, c.actor);
    if (c.allowedReads) {
      assert.deepEqual([...options], [], `allowed: ${name}`);
      assert.equal(options.errors[0].code, 'invalid_order', `allowed errors: ${name}`);
    } else {
      // guards never hide an option, so allowed reads neither payment state nor items
      assert.ok(options.length > 0, `allowed: ${name}`);
      assert.deepEqual(options.errors, [], `allowed errors: ${name}`);
    }
  }
});

test('a broken part the change does not read does not block it, in check and planBulk alike', () => {
  const manager = { role: 'store_manager', stores: ['s1'] };
  const brokenItems = { ...order, id: 'items', items: [{ sku: 'A', quantity: -1, in_stock: 'yes' }] };
  const brokenPayment = { ...order, id: 'payment', status: 'processing', payment_status: { paid: true } };
  const brokenStore = { ...order, id: 'store', store_id: ['s1'] };
  // Cancelling reads no guard: the broken items and payment state do not matter...
  const cancel = cms.planBulk([brokenItems, brokenPayment, brokenStore], 'cancelled', {}, manager);
  assert.deepEqual(cancel.eligible, ['items', 'payment']);
  // ...but a store manager's change always reads the store.
  assert.equal(cancel.blocked[0].id, 'store');
  assert.equal(cancel.blocked[0].errors[0].message, 'order.store_id: expected a string or a number, got an array');
  assert.equal(cms.check(brokenStore, 'cancelled', {}, admin).ok, true, 'an admin is not store-scoped');
  // Accepting reads the items and names the broken one; completing reads the payment state.
  assert.deepEqual(
    cms.check(brokenItems, 'processing', {}, manager).errors.map((e) => e.message),
    ['order.items[0].quantity: expected a finite number >= 0, got -1'],
  );
  assert.deepEqual(
    cms.check(brokenPayment, 'completed', {}, manager).errors.map((e) => e.message),
    ['order.payment_status: expected a string, got an object'],
  );
  assert.equal(cms.check(brokenPayment, 'ready_for_pickup', {}, manager).ok, true);
  // planBulk over many such orders agrees with check one by one (the fast path skips unread parts).
  const orders = [];
  for (let i = 0; i < 300; i++) {
    const base = [brokenItems, brokenPayment, brokenStore, order][i % 4];
    orders.push({ ...base, id: i, status: ['new', 'processing', 'ready_for_pickup'][i % 3] });
  }
  for (const to of ['processing', 'completed', 'cancelled', 'ready_for_pickup']) {
    for (const actor of [admin, manager]) {
      const plan = cms.planBulk(orders, to, {}, actor);
      const want = orders.filter((o) => cms.check(o, to, {}, actor).ok).map((o) => o.id);
      assert.deepEqual(plan.eligible, want, `${to} as ${actor.role}`);
      for (const b of plan.blocked) assert.deepEqual(b.errors, cms.check(orders[b.id], to, {}, actor).errors);
    }
  }
});

test('absent optional data is not malformed: null store, payment and items are fine', () => {
  const minimal = { id: 2, status: 'new' };
  assert.equal(cms.check(minimal, 'cancelled', {}, admin).ok, true);
  assert.equal(cms.check({ ...minimal, store_id: null, payment_status: null, items: null }, 'cancelled', {}, admin).ok, true);
  // ...but the guard that needs it fails, saying what is missing
  const r = cms.check(minimal, 'processing', {}, admin);
  assertRefused(r, 'inventory_short', 'no items for the inventory guard');
});

test('malformed actors are refused with invalid_actor', () => {
  const actors = {
    null: null,
    'a string': 'admin',
    'a number': 1,
    'an array': ['admin'],
    'no role': { stores: ['s1'] },
    'role a number': { role: 1 },
    'stores a string': { role: 'store_manager', stores: 's1' },
    'stores holding objects': { role: 'store_manager', stores: [{ id: 's1' }] },
  };
  for (const [name, actor] of Object.entries(actors)) {
    assertRefused(cms.check(order, 'processing', {}, actor), 'invalid_actor', `check: ${name}`);
    const options = cms.allowed(order, actor);
    assert.deepEqual([...options], [], `allowed: ${name}`);
    assert.equal(options.errors[0].code, 'invalid_actor', `allowed errors: ${name}`);
    const plan = cms.planBulk([order, order], 'processing', {}, actor);
    assert.deepEqual(plan.eligible, [], `planBulk: ${name}`);
    assert.equal(plan.blocked[0].errors[0].code, 'invalid_actor', `planBulk: ${name}`);
  }
  // a missing actor is a programming error: a TypeError from all three, as for a missing target
  for (const call of [() => cms.check(order, 'processing', {}), () => cms.allowed(order), () => cms.planBulk([order], 'processing', {})]) {
    assert.throws(call, (e) => e instanceof TypeError && /actor is required/.test(e.message));
  }
  // an unknown role is not malformed, just not allowed to do anything
  const stranger = cms.check(order, 'processing', {}, { role: 'janitor', stores: ['s1'] });
  assert.equal(stranger.ok, false);
  assert.ok(['forbidden_role', 'invalid_actor'].includes(stranger.errors[0].code), JSON.stringify(stranger.errors));
});

test('wrong argument types are a clear TypeError, not a crash', () => {
  for (const to of [undefined, null, 3, {}, ['processing'], Symbol('x')]) {
    assert.throws(
      () => cms.check(order, to, {}, admin),
      (e) => e instanceof TypeError && /to must be a string/.test(e.message),
    );
    assert.throws(
      () => cms.planBulk([order], to, {}, admin),
      (e) => e instanceof TypeError && /to must be a string/.test(e.message),
    );
  }
  for (const orders of [null, undefined, 5, 'orders', { length: 2 }]) {
    assert.throws(
      () => cms.planBulk(orders, 'processing', {}, admin),
      (e) => e instanceof TypeError && /orders must be an array/.test(e.message),
    );
  }
  for (const value of [undefined, null, 3, {}]) {
    assert.throws(() => delivery.normalize(value), TypeError);
  }
  // an id is given back by planBulk, so it must be JSON data (a cycle elsewhere is never read)
  const circular = { ...order };
  circular.id = { self: circular };
  assert.throws(
    () => cms.check(circular, 'processing', {}, admin),
    (e) => e instanceof TypeError && /order\.id cannot be converted to JSON/.test(e.message),
  );
  assert.throws(
    () => cms.planBulk([order, circular], 'processing', {}, admin),
    (e) => e instanceof TypeError && /orders\[1\]\.id cannot be converted to JSON/.test(e.message),
  );
  assert.throws(() => cms.check({ ...order, id: 10n }, 'processing', {}, admin), TypeError);
  assert.throws(() => flow.loadText(7), TypeError);
  assert.throws(() => orderflow.createOrderFlow('cms'), TypeError);
  // a Set of orders is iterable: accepted like an array
  assert.deepEqual(cms.planBulk(new Set([order]), 'cancelled', {}, admin).eligible, [1]);
});

test('unknown, empty and hostile targets are unknown_status', () => {
  for (const to of ['', 'NEW', 'new ', 'shipped', '__proto__', 'constructor', 'x'.repeat(1 << 20), '\u0000new', 'n\u0000ew']) {
    const r = cms.check(order, to, {}, admin);
    assertRefused(r, 'unknown_status', `to = ${JSON.stringify(to.slice(0, 20))}`);
  }
});

test('huge values: a 1 MB note is refused as invalid_field with a short message; 1 MB status is unknown', () => {
  const note = 'é'.repeat(1 << 19);
  const r = cms.check(order, 'processing', { notes: note }, admin);
  assertRefused(r, 'invalid_field', 'huge note');
  assert.equal(r.errors[0].field, 'notes');
  const huge = cms.check({ ...order, status: 'n'.repeat(1 << 20) }, 'processing', {}, admin);
  assert.equal(huge.ok, false);
  assert.ok(huge.errors[0].message.length < 2000, 'the message does not echo a megabyte');
  const manyItems = { ...order, items: Array.from({ length: 100000 }, (_, i) => ({ sku: `S${i}`, quantity: 1, in_stock: true })) };
  assert.equal(cms.check(manyItems, 'processing', {}, admin).ok, true);
  assert.deepEqual(cms.planBulk([manyItems], 'processing', {}, admin).eligible, [1]);
});

test('fields of the wrong type are refused, naming the field', () => {
  for (const notes of [5, { text: 'x' }, ['a'], true]) {
    const r = cms.check(order, 'processing', { notes }, admin);
    assertRefused(r, 'invalid_field', `notes = ${JSON.stringify(notes)}`);
    assert.equal(r.errors[0].field, 'notes');
  }
  const reason = cms.check(order, 'rejected', { rejection_reason: 42 }, admin);
  assert.equal(reason.ok, false);
  assert.equal(reason.errors[0].field, 'rejection_reason');
  // fields null or undefined mean "no fields"
  assert.equal(cms.check(order, 'processing', null, admin).ok, true);
  assert.equal(cms.check(order, 'processing', undefined, admin).ok, true);
});

test('__proto__ and constructor keys are data, not prototypes', () => {
  const hostile = JSON.parse(
    '{"id": 9, "status": "new", "__proto__": {"status": "completed", "polluted": true}, "items": [{"sku":"A","quantity":1,"in_stock":true,"__proto__":{"in_stock":false}}]}',
  );
  const r = cms.check(hostile, 'processing', { __proto__: null, notes: 'ok' }, admin);
  assert.equal(r.ok, true, JSON.stringify(r.errors));
  assert.equal({}.polluted, undefined);
  const actor = JSON.parse('{"role":"store_manager","stores":["s1"],"__proto__":{"role":"admin"}}');
  const asManager = cms.check({ ...order, store_id: 's2' }, 'processing', {}, actor);
  assert.equal(asManager.ok, false);
  assert.equal(asManager.errors[0].code, 'forbidden_store');
  const plan = cms.planBulk([hostile, Object.assign(Object.create({ status: 'new' }), { id: 10 })], 'processing', {}, admin);
  assert.deepEqual(plan.eligible, [9]);
  assert.equal(plan.blocked[0].id, 10);
  assert.equal(plan.blocked[0].errors[0].code, 'invalid_order', "an inherited status is not the order's");
  assert.equal(Object.prototype.polluted, undefined);
  // in a workflow, a "__proto__" key is just an unknown key, named in the problem
  const doc =
    '{"id":"p","name":"P","initial":"a","__proto__":{"x":1},"statuses":[{"id":"a","label":"A","color":"#000000"},{"id":"b","label":"B","color":"#000000","terminal":true}],"roles":[{"id":"r","label":"R","scope":"all"}],"transitions":[{"from":"a","to":"b","roles":["r"]}]}';
  for (const source of [JSON.parse(doc), doc]) {
    assert.throws(
      () => flow.workflow(source),
      (e) => e instanceof orderflow.OrderflowError && e.problems.length === 1 && e.problems[0].path === '__proto__',
    );
  }
  assert.equal(flow.workflow(doc.replace('"__proto__":{"x":1},', '')).id, 'p');
});

test('lone surrogates and invalid UTF-16 never break the boundary', () => {
  const lone = '\ud800';
  const r1 = cms.check({ ...order, status: `new${lone}` }, 'processing', {}, admin);
  assertRefused(r1, 'unknown_status', 'status with a lone surrogate');
  assert.ok(r1.errors[0].message.isWellFormed());
  const r2 = cms.check(order, `processing${lone}`, {}, admin);
  assertRefused(r2, 'unknown_status', 'target with a lone surrogate');
  const r3 = cms.check(order, 'processing', { notes: `fine \udc00 ${lone} text` }, admin);
  assert.equal(r3.ok, true, 'a note with lone surrogates is still a note');
  const r4 = cms.check({ ...order, store_id: `s1${lone}` }, 'processing', {}, { role: 'store_manager', stores: [`s1${lone}`] });
  assert.equal(r4.ok, true, 'store ids repaired the same way on both sides');
  const key = { ...order, [`k${lone}`]: lone };
  assert.equal(cms.check(key, 'processing', {}, admin).ok, true, 'lone surrogate in a key');
  assert.equal(delivery.normalize(`ship${lone}`).ok, false);
  const plan = cms.planBulk(
    [
      { ...order, status: `new${lone}` },
      { ...order, id: 2, payment_status: lone },
    ],
    'processing',
    {},
    admin,
  );
  assert.deepEqual(plan.eligible, [2]);
  assert.equal(plan.blocked[0].errors[0].code, 'unknown_status');
  assert.throws(() => flow.workflow(`{"id":"x${lone}"`), orderflow.OrderflowError);
});

test('hostile workflow text: not JSON, wrong types, deep nesting, oversize', () => {
  const cases = [
    '',
    ' ',
    'null',
    '[]',
    '"cms"',
    '{',
    '{"id": 1}',
    `${'['.repeat(100000)}${']'.repeat(100000)}`,
    JSON.stringify({ id: 'big', name: 'x'.repeat(2 << 20) }),
  ];
  for (const text of cases) {
    assert.throws(
      () => flow.loadText(text),
      (e) => {
        assert.ok(e instanceof orderflow.OrderflowError, `${text.slice(0, 20)}: ${e}`);
        assert.ok(e.message.length > 0 && e.message.length < 10000);
        assert.ok(e.problems.length >= 1);
        return true;
      },
    );
  }
  // the engine is still fine afterwards
  assert.equal(cms.check(order, 'processing', {}, admin).ok, true);
});

test('numbers and escapes cross the boundary exactly (check and planBulk agree with String(n))', () => {
  const numbers = [0, -0, 1, -1, 7, 1.5, -2.25, 1e21, 1e-7, 2 ** 53, 2 ** 53 + 2, 2 ** 64, -(2 ** 63), 0.1 + 0.2, 123456789.125];
  for (const n of numbers) {
    const order = {
      id: n,
      status: 'new',
      store_id: n,
      payment_status: 'paid',
      items: [{ sku: 'A', quantity: n < 0 ? 1 : n, in_stock: n < 0 ? true : n }],
    };
    const mine = { role: 'store_manager', stores: [String(n)] };
    const other = { role: 'store_manager', stores: [`${String(n)}0`] };
    assert.equal(cms.check(order, 'processing', {}, mine).ok, true, `store ${n} is "${String(n)}"`);
    assert.deepEqual(
      cms.check(order, 'processing', {}, other).errors.map((e) => e.code),
      ['forbidden_store'],
      `store ${n}`,
    );
    const plan = cms.planBulk([order], 'processing', {}, mine);
    assert.deepEqual(plan.eligible, [n], `planBulk store ${n}`);
    // the actor may list the store as a number too
    assert.equal(
      cms.check({ ...order, store_id: String(n) }, 'processing', {}, { role: 'store_manager', stores: [n] }).ok,
      true,
      `actor store ${n}`,
    );
  }
  const fine = ['line\nnext\ttab\r', 'quotes " and \\ backslash / slash', 'émoji 😀 and 中文', '\u2028\u2029'];
  for (const notes of fine) assert.equal(cms.check(order, 'processing', { notes }, admin).ok, true, JSON.stringify(notes));
  for (const notes of ['a\u0001b', 'nul\u0000', 'del\u007f', 'c1\u0085']) {
    const r = cms.check(order, 'processing', { notes }, admin);
    assert.deepEqual(
      r.errors.map((e) => [e.code, e.field]),
      [['invalid_field', 'notes']],
      JSON.stringify(notes),
    );
  }
});

test('strings decode the same on both paths: choice values loaded by the engine match field values sent by the facade', () => {
  // The workflow text is read by the engine's own JSON loader; field values travel as
  // JSON.stringify output through the module's reader. Any decoding difference breaks a match.
  const pool = ['a', 'Z', '"', '\\', '/', '\n', '\t', '\r', 'é', 'ß', '中', '😀', '\u2028', '\u00a0', ' ', '\u{10ffff}', '\ufeff', 'ĳ'];
  let seed = 7;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const values = new Set();
  while (values.size < 40) {
    let v = '';
    const n = 1 + Math.floor(rnd() * 12);
    for (let i = 0; i < n; i++) v += pool[Math.floor(rnd() * pool.length)];
    if (v.trim() && !/[\n\r\t]/.test(v)) values.add(v);
  }
  const list = [...values];
  const doc = {
    id: 'choices',
    name: 'Choices',
    initial: 'open',
    statuses: [
      { id: 'open', label: 'Open', color: '#2563eb' },
      { id: 'done', label: 'Done', color: '#16a34a', terminal: true },
    ],
    roles: [{ id: 'agent', label: 'Agent', scope: 'all' }],
    fields: [{ id: 'pick', label: 'Pick', type: 'choice', values: list }],
    transitions: [{ from: 'open', to: 'done', roles: ['agent'], requires: ['pick'] }],
  };
  const wf = flow.loadText(JSON.stringify(doc, null, 1));
  const agent = { role: 'agent' };
  for (const v of list) {
    assert.equal(wf.check({ id: 1, status: 'open' }, 'done', { pick: v }, agent).ok, true, JSON.stringify(v));
    const near = wf.check({ id: 1, status: 'open' }, 'done', { pick: `${v}x` }, agent);
    assert.deepEqual(
      near.errors.map((e) => e.code),
      ['invalid_field'],
      JSON.stringify(v),
    );
  }
  const plan = wf.planBulk(
    list.map((v, i) => ({ id: i, status: 'open' })),
    'done',
    { pick: list[3] },
    agent,
  );
  assert.equal(plan.eligible.length, list.length);
});

test('planBulk called again from inside an order (a toJSON or getter) gets its own answer', () => {
  const inner = [];
  const sneaky = {
    id: 'sneaky',
    status: 'new',
    toJSON() {
      inner.push(
        cms.planBulk(
          [
            { id: 'w', status: 'new' },
            { id: 'x', status: 'completed' },
            { id: 'y', status: 'new' },
            { id: 'z', status: 'cancelled' },
          ],
          'cancelled',
          {},
          admin,
        ),
      );
      return { id: 'sneaky', status: 'new' };
    },
  };
  const orders = [{ id: 1, status: 'new' }, sneaky, { id: 3, status: 'completed' }, { id: 4, status: 'processing' }];
  const plan = cms.planBulk(orders, 'cancelled', {}, admin);
  assert.deepEqual(plan.eligible, [1, 'sneaky', 4]);
  assert.deepEqual(
    plan.blocked.map((b) => [b.id, b.errors[0].code]),
    [[3, 'terminal_status']],
  );
  assert.equal(inner.length, 1);
  assert.deepEqual(inner[0].eligible, ['w', 'y']);
  assert.deepEqual(
    inner[0].blocked.map((b) => b.id),
    ['x', 'z'],
  );
});
