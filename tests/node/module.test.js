// The npm module through its public API, imported from the packed + installed package.
// Expected transition tables are written from the source documents (../shared/seeds), not from
// the engine: the CMS flow's "Status Transition Rules" table plus DESIGN.md's roles and the
// `rejected` status, and the delivery quick reference's flow, cancellation and legacy values.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { importPackage } from './support/package.js';

let orderflow;
let flow;
before(async () => {
  orderflow = await importPackage();
  flow = await orderflow.createOrderFlow();
});

// ---- expected tables (from the documents) ----------------------------------------------------

const CMS_STATUSES = ['new', 'processing', 'ready_for_pickup', 'completed', 'cancelled', 'rejected'];
const CMS_NEXT = {
  new: ['processing', 'cancelled', 'rejected'],
  processing: ['ready_for_pickup', 'completed', 'cancelled'],
  ready_for_pickup: ['completed', 'cancelled'],
  completed: [],
  cancelled: [],
  rejected: [],
};
const CMS_TERMINAL = ['completed', 'cancelled', 'rejected'];
// fulfillment may move orders forward but may not cancel or reject
const CMS_FULFILLMENT_NEXT = {
  new: ['processing'],
  processing: ['ready_for_pickup', 'completed'],
  ready_for_pickup: ['completed'],
  completed: [],
  cancelled: [],
  rejected: [],
};

const DELIVERY_STATUSES = ['pending', 'confirmed', 'assigned', 'in_transit', 'delivered', 'cancelled'];
const DELIVERY_NEXT = {
  pending: ['confirmed', 'cancelled'],
  confirmed: ['assigned', 'cancelled'],
  assigned: ['in_transit', 'cancelled'],
  in_transit: ['delivered', 'cancelled'],
  delivered: [],
  cancelled: [],
};
const DELIVERY_BY_ROLE = {
  admin: DELIVERY_NEXT,
  manager: {
    pending: ['confirmed', 'cancelled'],
    confirmed: ['assigned', 'cancelled'],
    assigned: ['cancelled'],
    in_transit: ['cancelled'],
    delivered: [],
    cancelled: [],
  },
  driver: { pending: [], confirmed: [], assigned: ['in_transit'], in_transit: ['delivered'], delivered: [], cancelled: [] },
};
const DELIVERY_INVALID_STATUS = 'Invalid status value. Must be one of: pending, confirmed, assigned, in_transit, delivered, cancelled';

// An order that satisfies every guard (paid, everything in stock), in store s1.
const goodOrder = (status, extra = {}) => ({
  id: 7,
  status,
  store_id: 's1',
  lock_version: 1,
  payment_status: 'paid',
  items: [
    { sku: 'A', quantity: 2, in_stock: true },
    { sku: 'B', quantity: 1, in_stock: 5 },
  ],
  ...extra,
});
const fieldsFor = (to) => (to === 'rejected' ? { rejection_reason: 'Customer ID expired' } : {});
const sorted = (a) => [...a].sort();

// ---- the module surface ----------------------------------------------------------------------

test('createOrderFlow loads once and lists the built-in workflows', async () => {
  const again = await orderflow.createOrderFlow();
  assert.equal(again, flow, 'a second createOrderFlow() shares the loaded module');
  assert.deepEqual([...flow.workflows].sort(), ['cms', 'delivery']);
  assert.equal(typeof orderflow.OrderflowError, 'function');
  assert.equal(orderflow.default, orderflow.createOrderFlow);
});

test('a built-in workflow is plain frozen data', () => {
  const wf = flow.workflow('cms');
  assert.equal(flow.workflow('cms'), wf, 'built-ins are cached');
  assert.equal(wf.id, 'cms');
  assert.equal(typeof wf.name, 'string');
  assert.equal(wf.initial, 'new');
  assert.deepEqual(
    wf.statuses.map((s) => s.id),
    CMS_STATUSES,
  );
  assert.deepEqual(
    wf.statuses
      .filter((s) => s.terminal)
      .map((s) => s.id)
      .sort(),
    sorted(CMS_TERMINAL),
  );
  for (const s of wf.statuses) {
    assert.match(s.color, /^#[0-9a-f]{6}$/i);
    assert.equal(typeof s.label, 'string');
  }
  assert.deepEqual(wf.roles.map((r) => r.id).sort(), ['admin', 'fulfillment', 'reporting', 'store_manager']);
  assert.ok(wf.fields.some((f) => f.id === 'rejection_reason'));
  assert.ok(wf.transitions.length >= 8);
  assert.equal(wf.document.id, 'cms');
  for (const value of [wf, wf.statuses, wf.statuses[0], wf.roles, wf.transitions, wf.document]) {
    assert.ok(Object.isFrozen(value));
  }
  assert.throws(() => {
    wf.statuses[0].label = 'x';
  }, TypeError);
  // plain data: survives a JSON round trip unchanged
  assert.deepEqual(JSON.parse(JSON.stringify(wf.statuses)), wf.statuses);
});

test("a workflow's document parts are enumerable, read-only and the same values on every read", () => {
  const wf = flow.workflow({ ...flow.workflow('cms').document, id: 'cms_copy' }); // a fresh one
  assert.deepEqual(Object.keys(wf), ['id', 'name', 'initial', 'statuses', 'roles', 'fields', 'transitions', 'edges', 'document']);
  assert.equal(wf.document, wf.document);
  assert.equal(wf.roles, wf.document.roles);
  assert.equal(wf.fields, wf.document.fields);
  assert.equal(wf.transitions, wf.document.transitions);
  assert.equal(wf.document.id, 'cms_copy');
  assert.throws(() => {
    wf.document = {};
  }, TypeError);
  assert.throws(() => {
    wf.roles = [];
  }, TypeError);
  assert.deepEqual(JSON.parse(JSON.stringify(wf)).roles, JSON.parse(JSON.stringify(wf.roles)));
  assert.deepEqual({ ...wf }.transitions, wf.transitions);
  assert.equal(wf.edges, wf.edges);
  assert.ok(Object.isFrozen(wf.edges) && Object.isFrozen(wf.edges[0]) && Object.isFrozen(wf.edges[0].roles));
});

test('edges: every arrow the engine applies, a "*" transition drawn from each status it applies from', () => {
  const delivery = flow.workflow('delivery');
  const arrows = delivery.edges.map((e) => `${e.from}>${e.to} ${e.action ?? ''} [${e.roles.join(',')}]`);
  assert.deepEqual(arrows, [
    'pending>confirmed Accept [admin,manager]',
    'pending>cancelled Decline [admin,manager]',
    'confirmed>assigned Next [admin,manager]',
    'assigned>in_transit Next [admin,driver]',
    'in_transit>delivered Next [admin,driver]',
    'confirmed>cancelled Cancel [admin,manager]',
    'assigned>cancelled Cancel [admin,manager]',
    'in_transit>cancelled Cancel [admin,manager]',
  ]);
  // each arrow is a change check() accepts for one of its roles (from an order in its `from` status)
  for (const e of delivery.edges) {
    const ok = e.roles.some((role) => delivery.check({ id: 1, status: e.from, store_id: 's1' }, e.to, {}, { role, stores: ['s1'] }).ok);
    assert.ok(ok, `${e.from} -> ${e.to}`);
  }
  const custom = flow.workflow({
    id: 'w',
    name: 'W',
    initial: 'a',
    statuses: [
      { id: 'a', label: 'A', color: '#000000' },
      { id: 'b', label: 'B', color: '#000000' },
    ],
    roles: [{ id: 'r', label: 'R', scope: 'all' }],
    transitions: [{ from: 'a', to: 'b', roles: ['r'] }],
  });
  assert.deepEqual(custom.edges, [{ from: 'a', to: 'b', roles: ['r'] }]);
});

test('delivery statuses carry the document colours (orange, blue, purple, amber, green, red)', () => {
  const wf = flow.workflow('delivery');
  assert.deepEqual(
    wf.statuses.map((s) => s.id),
    DELIVERY_STATUSES,
  );
  const hue = (hex) => {
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
    const max = Math.max(r, g, b);
    const min = Math.min(r, g, b);
    const d = max - min;
    if (d === 0) return 0;
    let h = max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
    return (h * 60 + 360) % 360;
  };
  const ranges = {
    pending: [20, 40],
    confirmed: [190, 240],
    assigned: [260, 310],
    in_transit: [38, 55],
    delivered: [90, 150],
    cancelled: [340, 370],
  };
  for (const s of wf.statuses) {
    let h = hue(s.color);
    if (h < 20) h += 360;
    const [lo, hi] = ranges[s.id];
    assert.ok(h >= lo && h <= hi, `${s.id} colour ${s.color} (hue ${h.toFixed(0)}) should be in [${lo}, ${hi}]`);
  }
});

// ---- the full tables ---------------------------------------------------------------------------

test('cms: admin and store managers get exactly the document table, for every pair of statuses', () => {
  const wf = flow.workflow('cms');
  for (const actor of [
    { role: 'admin', stores: [] },
    { role: 'store_manager', stores: ['s1'] },
  ]) {
    for (const from of CMS_STATUSES) {
      const options = wf.allowed(goodOrder(from), actor);
      assert.deepEqual(sorted(options.map((o) => o.id)), sorted(CMS_NEXT[from]), `${actor.role} from ${from}`);
      for (const to of CMS_STATUSES) {
        const r = wf.check(goodOrder(from), to, fieldsFor(to), actor);
        const expected = CMS_NEXT[from].includes(to);
        assert.equal(r.ok, expected, `${actor.role}: ${from} -> ${to}: ${JSON.stringify(r.errors)}`);
        if (expected) {
          assert.deepEqual(r.errors, []);
        } else {
          const code = CMS_TERMINAL.includes(from) ? 'terminal_status' : 'invalid_transition';
          assert.equal(r.errors[0].code, code, `${from} -> ${to}`);
          assert.equal(typeof r.errors[0].message, 'string');
          assert.ok(r.errors[0].message.length > 0);
        }
      }
    }
  }
});

test('cms: fulfillment staff move orders forward only; reporting users are read-only', () => {
  const wf = flow.workflow('cms');
  const staff = { role: 'fulfillment', stores: ['s1'] };
  const reporting = { role: 'reporting', stores: ['s1'] };
  for (const from of CMS_STATUSES) {
    assert.deepEqual(
      sorted(wf.allowed(goodOrder(from), staff).map((o) => o.id)),
      sorted(CMS_FULFILLMENT_NEXT[from]),
      `fulfillment from ${from}`,
    );
    assert.deepEqual(wf.allowed(goodOrder(from), reporting), [], `reporting from ${from}`);
    for (const to of CMS_NEXT[from]) {
      const r = wf.check(goodOrder(from), to, fieldsFor(to), staff);
      assert.equal(r.ok, CMS_FULFILLMENT_NEXT[from].includes(to), `fulfillment ${from} -> ${to}`);
      if (!r.ok)
        assert.deepEqual(
          r.errors.map((e) => e.code),
          ['forbidden_role'],
        );
      const ro = wf.check(goodOrder(from), to, fieldsFor(to), reporting);
      assert.equal(ro.ok, false);
      assert.ok(
        ro.errors.some((e) => e.code === 'read_only'),
        JSON.stringify(ro.errors),
      );
    }
  }
});

test('cms: store scope — managers and staff only act on their assigned stores; admin on all', () => {
  const wf = flow.workflow('cms');
  const order = goodOrder('new', { store_id: 's2' });
  for (const role of ['store_manager', 'fulfillment']) {
    const r = wf.check(order, 'processing', {}, { role, stores: ['s1'] });
    assert.equal(r.ok, false);
    assert.deepEqual(
      r.errors.map((e) => e.code),
      ['forbidden_store'],
    );
    assert.deepEqual(wf.allowed(order, { role, stores: ['s1'] }), []);
    assert.equal(wf.check(order, 'processing', {}, { role, stores: ['s1', 's2'] }).ok, true);
  }
  assert.equal(wf.check(order, 'processing', {}, { role: 'admin', stores: [] }).ok, true);
  // store ids compare as text: number 1 is "1"
  const numeric = goodOrder('new', { store_id: 1 });
  assert.equal(wf.check(numeric, 'processing', {}, { role: 'store_manager', stores: ['1'] }).ok, true);
  assert.equal(wf.check(goodOrder('new', { store_id: '1' }), 'processing', {}, { role: 'store_manager', stores: [1] }).ok, true);
  assert.equal(wf.check(numeric, 'processing', {}, { role: 'store_manager', stores: ['2'] }).ok, false);
});

test('cms: rejected requires rejection_reason; notes are optional everywhere', () => {
  const wf = flow.workflow('cms');
  const admin = { role: 'admin', stores: [] };
  const option = wf.allowed(goodOrder('new'), admin).find((o) => o.id === 'rejected');
  assert.deepEqual(option.requires, ['rejection_reason']);
  assert.ok(option.optional.includes('notes'));
  for (const from of ['new', 'processing', 'ready_for_pickup']) {
    for (const o of wf.allowed(goodOrder(from), admin)) assert.ok(o.optional.includes('notes'), `${from} -> ${o.id}`);
  }
  const missing = wf.check(goodOrder('new'), 'rejected', {}, admin);
  assert.equal(missing.ok, false);
  assert.deepEqual(
    missing.errors.map((e) => [e.code, e.field]),
    [['missing_field', 'rejection_reason']],
  );
  const blank = wf.check(goodOrder('new'), 'rejected', { rejection_reason: '   ' }, admin);
  assert.equal(blank.ok, false, 'a blank reason is not a reason');
  assert.equal(blank.errors[0].field, 'rejection_reason');
  assert.equal(wf.check(goodOrder('new'), 'rejected', { rejection_reason: 'ID expired', notes: 'called' }, admin).ok, true);
  const notesTooLong = wf.check(goodOrder('new'), 'processing', { notes: 'x'.repeat(100000) }, admin);
  assert.equal(notesTooLong.ok, false);
  assert.deepEqual(
    notesTooLong.errors.map((e) => [e.code, e.field]),
    [['invalid_field', 'notes']],
  );
});

test('cms: cancelling asks for confirmation; options carry label, colour and action', () => {
  const wf = flow.workflow('cms');
  const options = wf.allowed(goodOrder('processing'), { role: 'admin', stores: [] });
  for (const o of options) {
    const status = wf.statuses.find((s) => s.id === o.id);
    assert.equal(o.label, status.label);
    assert.equal(o.color, status.color);
    assert.equal(typeof o.confirm, 'boolean');
    assert.ok(Array.isArray(o.requires));
    if ('action' in o) assert.equal(typeof o.action, 'string');
  }
  assert.equal(options.find((o) => o.id === 'cancelled').confirm, true);
  assert.equal(options.find((o) => o.id === 'ready_for_pickup').confirm, false);
});

test('cms guards: completed needs payment settled, processing needs every item in stock', () => {
  const wf = flow.workflow('cms');
  const admin = { role: 'admin', stores: [] };
  const unpaid = wf.check(goodOrder('processing', { payment_status: 'pending' }), 'completed', {}, admin);
  assert.deepEqual(
    unpaid.errors.map((e) => e.code),
    ['payment_required'],
  );
  const noPayment = wf.check(goodOrder('processing', { payment_status: undefined }), 'completed', {}, admin);
  assert.deepEqual(
    noPayment.errors.map((e) => e.code),
    ['payment_required'],
  );
  assert.notEqual(noPayment.errors[0].message, unpaid.errors[0].message, 'absent data says what is missing');

  const short = wf.check(goodOrder('new', { items: [{ sku: 'A', quantity: 3, in_stock: 2 }] }), 'processing', {}, admin);
  assert.deepEqual(
    short.errors.map((e) => e.code),
    ['inventory_short'],
  );
  const outOfStock = wf.check(goodOrder('new', { items: [{ sku: 'A', quantity: 1, in_stock: false }] }), 'processing', {}, admin);
  assert.deepEqual(
    outOfStock.errors.map((e) => e.code),
    ['inventory_short'],
  );
  assert.equal(wf.check(goodOrder('new', { items: [{ sku: 'A', quantity: 3, in_stock: 3 }] }), 'processing', {}, admin).ok, true);
  // guards only apply where the document puts them
  assert.equal(wf.check(goodOrder('new', { payment_status: 'pending' }), 'processing', {}, admin).ok, true);
  assert.equal(wf.check(goodOrder('processing', { items: [{ sku: 'A', quantity: 1, in_stock: false }] }), 'completed', {}, admin).ok, true);
});

test('cms: every reason is given at once, as values with stable codes', () => {
  const wf = flow.workflow('cms');
  const r = wf.check(
    goodOrder('processing', { store_id: 's9', payment_status: 'failed' }),
    'completed',
    {},
    { role: 'store_manager', stores: ['s1'] },
  );
  assert.equal(r.ok, false);
  const codes = r.errors.map((e) => e.code);
  assert.ok(codes.includes('forbidden_store'), JSON.stringify(codes));
  assert.ok(codes.includes('payment_required'), JSON.stringify(codes));
  for (const e of r.errors) {
    assert.deepEqual(
      Object.keys(e)
        .filter((k) => k !== 'field')
        .sort(),
      ['code', 'message'],
    );
  }
  // the fixed order does not depend on the call
  assert.deepEqual(
    wf.check(
      goodOrder('processing', { store_id: 's9', payment_status: 'failed' }),
      'completed',
      {},
      { role: 'store_manager', stores: ['s1'] },
    ),
    r,
  );
});

test('delivery: every role gets exactly the quick reference table', () => {
  const wf = flow.workflow('delivery');
  for (const [role, table] of Object.entries(DELIVERY_BY_ROLE)) {
    const actor = { role, stores: ['s1'] };
    for (const from of DELIVERY_STATUSES) {
      assert.deepEqual(sorted(wf.allowed(goodOrder(from), actor).map((o) => o.id)), sorted(table[from]), `${role} from ${from}`);
      for (const to of DELIVERY_STATUSES) {
        const r = wf.check(goodOrder(from), to, {}, actor);
        assert.equal(r.ok, table[from].includes(to), `${role}: ${from} -> ${to}: ${JSON.stringify(r.errors)}`);
        if (!r.ok && role === 'admin') {
          assert.equal(r.errors[0].code, ['delivered', 'cancelled'].includes(from) ? 'terminal_status' : 'invalid_transition');
        }
      }
    }
  }
});

test('delivery: legacy values are read through the aliases; legacy or unknown targets get the document text', () => {
  const wf = flow.workflow('delivery');
  assert.deepEqual(wf.normalize('processing'), { ok: true, status: 'confirmed' });
  assert.deepEqual(wf.normalize('shipped'), { ok: true, status: 'in_transit' });
  assert.deepEqual(wf.normalize('pending'), { ok: true, status: 'pending' });
  const refunded = wf.normalize('refunded');
  assert.equal(refunded.ok, false);
  assert.equal(refunded.error.code, 'unknown_status');
  assert.match(refunded.error.message, /not implemented/i);
  const bogus = wf.normalize('teleported');
  assert.equal(bogus.ok, false);
  assert.equal(bogus.error.code, 'unknown_status');

  const admin = { role: 'admin', stores: [] };
  // an order stored as "shipped" is in_transit
  assert.deepEqual(sorted(wf.allowed(goodOrder('shipped'), admin).map((o) => o.id)), ['cancelled', 'delivered']);
  assert.equal(wf.check(goodOrder('processing'), 'assigned', {}, admin).ok, true);
  for (const to of ['shipped', 'processing', 'refunded', 'lost']) {
    const r = wf.check(goodOrder('pending'), to, {}, admin);
    assert.equal(r.ok, false);
    assert.equal(r.errors[0].code, 'unknown_status');
    assert.equal(r.errors[0].message, DELIVERY_INVALID_STATUS);
  }
  // tracking_number is optional on in_transit
  const toTransit = wf.allowed(goodOrder('assigned'), admin).find((o) => o.id === 'in_transit');
  assert.ok(toTransit.optional.includes('tracking_number'));
  assert.deepEqual(toTransit.requires, []);
  assert.equal(wf.check(goodOrder('assigned'), 'in_transit', { tracking_number: 'TRK-1' }, admin).ok, true);
});

test('planBulk gives the same verdicts as check, sharing error arrays', () => {
  const wf = flow.workflow('cms');
  const actor = { role: 'fulfillment', stores: ['s1'] };
  const orders = [
    goodOrder('new', { id: 1 }),
    goodOrder('new', { id: 2, store_id: 's2' }),
    goodOrder('completed', { id: 3 }),
    goodOrder('new', { id: 4, items: [{ sku: 'Z', quantity: 1, in_stock: false }] }),
    goodOrder('new', { id: 5, store_id: 's2' }),
    null,
    { id: 7 },
  ];
  const plan = wf.planBulk(orders, 'processing', {}, actor);
  assert.deepEqual(plan.eligible, [1]);
  assert.deepEqual(
    plan.blocked.map((b) => b.id),
    [2, 3, 4, 5, null, 7],
  );
  orders.forEach((o, i) => {
    if (i === 0) return;
    const expected = wf.check(o, 'processing', {}, actor);
    assert.deepEqual(plan.blocked[i - 1].errors, expected.errors, `order ${i}`);
  });
  assert.equal(plan.blocked[0].errors, plan.blocked[3].errors, 'identical verdicts share one array');
  assert.ok(Object.isFrozen(plan.blocked[0].errors));
  assert.deepEqual(
    plan.blocked[4].errors.map((e) => e.code),
    ['invalid_order'],
  );
  assert.deepEqual(wf.planBulk([], 'processing', {}, actor), { eligible: [], blocked: [] });
});

test('a custom workflow is a JSON document, object or text, and behaves the same', () => {
  const doc = {
    id: 'tickets',
    name: 'Tickets',
    initial: 'open',
    statuses: [
      { id: 'open', label: 'Open', color: '#2563eb' },
      { id: 'done', label: 'Done', color: '#16a34a', terminal: true },
    ],
    roles: [{ id: 'agent', label: 'Agent', scope: 'all' }],
    fields: [{ id: 'notes', label: 'Notes', type: 'text', maxLength: 100 }],
    transitions: [{ from: 'open', to: 'done', roles: ['agent'], optional: ['notes'] }],
  };
  for (const wf of [flow.workflow(doc), flow.workflow(JSON.stringify(doc)), flow.loadText(JSON.stringify(doc, null, 2))]) {
    assert.equal(wf.id, 'tickets');
    assert.deepEqual(
      wf.statuses.map((s) => s.id),
      ['open', 'done'],
    );
    assert.deepEqual(
      wf.allowed({ id: 1, status: 'open' }, { role: 'agent' }).map((o) => o.id),
      ['done'],
    );
    assert.equal(wf.check({ id: 1, status: 'done' }, 'open', {}, { role: 'agent' }).errors[0].code, 'terminal_status');
  }
});

test('a bad workflow throws OrderflowError with the loader message and every problem', () => {
  const doc = {
    id: 'bad',
    name: 'Bad',
    initial: 'open',
    statuses: [
      { id: 'open', label: 'Open', color: '#000000' },
      { id: 'open', label: 'Again', color: '#000000' },
    ],
    roles: [{ id: 'agent', scope: 'all' }],
    transitions: [
      { from: 'open', to: 'shiped', roles: ['agent'] },
      { from: 'open', to: 'open', roles: ['nobody'] },
    ],
  };
  let error;
  try {
    flow.workflow(doc);
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof orderflow.OrderflowError, String(error));
  assert.ok(error instanceof Error);
  assert.equal(error.name, 'OrderflowError');
  assert.ok(error.problems.length >= 3, JSON.stringify(error.problems));
  for (const p of error.problems) {
    assert.equal(typeof p.path, 'string');
    assert.equal(typeof p.message, 'string');
    assert.ok(error.message.includes(p.message), 'the message lists every problem');
  }
  assert.ok(
    error.problems.some((p) => p.path === 'transitions[0].to' && p.message.includes('"shiped"')),
    JSON.stringify(error.problems),
  );
  assert.ok(
    error.problems.some((p) => p.path.startsWith('statuses[1]')),
    'duplicate status id',
  );
  assert.ok(
    error.problems.some((p) => p.path.startsWith('transitions[1].roles')),
    'unknown role',
  );

  assert.throws(
    () => flow.workflow('{"id": '),
    (e) => e instanceof orderflow.OrderflowError && e.problems.length >= 1,
  );
  assert.throws(() => flow.workflow('no_such_workflow'), orderflow.OrderflowError);
  assert.throws(() => flow.workflow([]), orderflow.OrderflowError);
  assert.throws(() => flow.workflow(42), TypeError);
  assert.throws(() => flow.workflow(null), TypeError);
  assert.throws(() => flow.workflow(undefined), TypeError);
});
