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
