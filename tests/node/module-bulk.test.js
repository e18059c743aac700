// planBulk must give exactly the verdicts of check, order by order, on thousands of generated
// orders (clean and messy), for every target, every role and several field sets.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { importPackage } from './support/package.js';
import { generateOrders, generateActors } from './support/orders.js';

let flow;
before(async () => {
  const orderflow = await importPackage();
  flow = await orderflow.createOrderFlow();
});

function compare(wf, orders, to, fields, actor) {
  const plan = wf.planBulk(orders, to, fields, actor);
  const eligible = [];
  const blocked = [];
  for (const o of orders) {
    const id = o !== null && typeof o === 'object' && o.id !== undefined ? o.id : null;
    const r = wf.check(o, to, fields, actor);
    if (r.ok) eligible.push(id);
    else blocked.push({ id, errors: r.errors });
  }
  const what = `${wf.id} -> ${to} as ${JSON.stringify(actor)} with ${JSON.stringify(fields)}`;
  assert.deepEqual(plan.eligible, eligible, what);
  assert.equal(plan.blocked.length, blocked.length, what);
  for (let i = 0; i < blocked.length; i++) {
    assert.deepEqual(plan.blocked[i], blocked[i], `${what}: order ${JSON.stringify(blocked[i].id)}`);
  }
  return plan;
}

for (const id of ['cms', 'delivery']) {
  test(`${id}: planBulk equals check one by one on generated orders`, () => {
    const wf = flow.workflow(id);
    const targets = [...wf.statuses.map((s) => s.id), 'shipped', 'nope'];
    const fieldSets = [{}, { notes: 'ok', rejection_reason: 'expired ID', tracking_number: 'T1' }, { notes: 5 }];
    let compared = 0;
    let eligibleSeen = 0;
    let blockedSeen = 0;
    // 200 + 200 generated orders per combination, plus one order per legacy value and each kind
    // of non-object: every status, legacy and unknown value, store, payment state and item shape
    // turns up (asserted below), at 40% of the check() calls of 500 + 500.
    const clean = generateOrders(wf, 200, { seed: 11 });
    const messy = generateOrders(wf, 200, { seed: 12, messy: true });
    const legacy = Object.keys(wf.document.aliases || {});
    legacy.forEach((status, i) => messy.push({ ...clean[i], id: `legacy-${i}`, status }));
    messy.push(null, 7, 'order', [clean[0]], { ...clean[1], id: 'unknown', status: 'NEW' });
    const seen = new Set(messy.concat(clean).map((o) => (o !== null && typeof o === 'object' ? o.status : o)));
    for (const s of wf.statuses) assert.ok(seen.has(s.id), `status ${s.id} among the orders`);
    for (const value of legacy) assert.ok(seen.has(value), `legacy value ${value} among them`);
    for (const actor of generateActors(wf)) {
      for (const to of targets) {
        for (const fields of fieldSets) {
          for (const orders of [clean, messy]) {
            const plan = compare(wf, orders, to, fields, actor);
            compared += orders.length;
            eligibleSeen += plan.eligible.length;
            blockedSeen += plan.blocked.length;
          }
        }
      }
    }
    assert.ok(compared > 12000);
    assert.ok(eligibleSeen > 1000 && blockedSeen > 1000, `both verdicts exercised (${eligibleSeen} / ${blockedSeen})`);
  });
}

test('planBulk over 100,000 orders shares one frozen error array per distinct verdict', () => {
  const wf = flow.workflow('cms');
  const orders = generateOrders(wf, 100000, { seed: 3 });
  const plan = wf.planBulk(orders, 'completed', {}, { role: 'store_manager', stores: ['s1', 's2'] });
  assert.equal(plan.eligible.length + plan.blocked.length, 100000);
  const distinct = new Set(plan.blocked.map((b) => b.errors));
  assert.ok(distinct.size < 50, `${distinct.size} distinct error arrays`);
  for (const errors of distinct) assert.ok(Object.isFrozen(errors) && Object.isFrozen(errors[0]));
  // spot-check against check
  for (let i = 0; i < orders.length; i += 997) {
    const r = wf.check(orders[i], 'completed', {}, { role: 'store_manager', stores: ['s1', 's2'] });
    assert.equal(plan.eligible.includes(orders[i].id), r.ok, `order ${orders[i].id}`);
  }
});

// An `equals` guard may read any top-level order field the workflow names (not only
// payment_status): check reads it, planBulk carries each such field as a column of its own, and
// both give the same verdicts, for well-formed, absent, null and broken values alike.
test('equals guards on other order fields: check and planBulk read them alike', () => {
  const doc = JSON.parse(JSON.stringify(flow.workflow('cms').document));
  doc.guards.push(
    {
      id: 'fraud_cleared',
      kind: 'equals',
      field: 'fraud_check',
      value: 'cleared',
      code: 'fraud_hold',
      message: 'Held by the fraud check.',
    },
    {
      id: 'in_person',
      kind: 'equals',
      field: 'channel',
      value: 'pickup',
      code: 'wrong_channel',
      message: 'Only pickup orders complete here.',
    },
  );
  for (const t of doc.transitions) {
    if (t.to === 'completed') t.guards.push('fraud_cleared', 'in_person');
    if (t.to === 'processing') t.guards.push('fraud_cleared');
  }
  const wf = flow.workflow(doc);
  const admin = { role: 'admin' };
  const base = { id: 1, status: 'processing', store_id: 's1', payment_status: 'paid', channel: 'pickup', fraud_check: 'cleared' };
  assert.deepEqual(wf.check(base, 'completed', {}, admin), { ok: true, errors: [] });
  assert.deepEqual(wf.check({ ...base, fraud_check: 'held', channel: undefined }, 'completed', {}, admin).errors, [
    { code: 'fraud_hold', message: 'Held by the fraud check.' },
    { code: 'wrong_channel', message: 'This order has no channel.' },
  ]);
  assert.deepEqual(wf.check({ ...base, channel: 7 }, 'completed', {}, admin).errors, [
    { code: 'invalid_order', message: 'order.channel: expected a string, got a number' },
  ]);
  // a broken field the decision does not read never blocks it
  assert.equal(wf.check({ ...base, channel: 7 }, 'cancelled', {}, admin).ok, true);

  const values = ['cleared', 'held', 'pickup', 'delivery', undefined, null, 5, {}, 'x'.repeat(2000)];
  const orders = [];
  for (let i = 0; i < 3000; i++) {
    const o = { ...base, id: i, status: ['new', 'processing', 'ready_for_pickup', 'completed'][i % 4] };
    o.fraud_check = values[(i * 7) % values.length];
    o.channel = values[(i * 5 + 2) % values.length];
    if (i % 11 === 0) delete o.channel;
    if (i % 13 === 0) delete o.fraud_check;
    orders.push(o);
  }
  let blocked = 0;
  for (const to of ['processing', 'completed', 'cancelled']) {
    for (const actor of [admin, { role: 'store_manager', stores: ['s1'] }, { role: 'fulfillment', stores: [] }]) {
      blocked += compare(wf, orders, to, {}, actor).blocked.length;
    }
  }
  assert.ok(blocked > 1000);
  const codes = new Set(wf.planBulk(orders, 'completed', {}, admin).blocked.flatMap((b) => b.errors.map((e) => e.code)));
  for (const code of ['fraud_hold', 'wrong_channel', 'invalid_order', 'terminal_status']) assert.ok(codes.has(code), code);

  // A field named like an Object.prototype member is read as the order's own key only.
  const odd = JSON.parse(JSON.stringify(doc));
  odd.guards.find((g) => g.id === 'in_person').field = 'constructor';
  const wf2 = flow.workflow(odd);
  const own = { ...base, constructor: 'pickup' };
  assert.equal(wf2.check(own, 'completed', {}, admin).ok, true);
  assert.deepEqual(wf2.check(base, 'completed', {}, admin).errors, [{ code: 'wrong_channel', message: 'This order has no constructor.' }]);
  compare(wf2, [own, base, { ...base, constructor: 'delivery' }], 'completed', {}, admin);
});
