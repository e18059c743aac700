// The questions the engine answers for servers and UIs (issue #15), through the packed module:
// store visibility, why nothing may change and which options a guard refuses, the fields a bulk
// target needs, the table of error codes (checked against index.d.ts and
// docs/workflow-format.md), and stock refusals that name their short items, alike in check and
// planBulk.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importPackage, installPackage, ROOT } from './support/package.js';
import { typecheck } from './support/typescript.js';

let flow;
let cms;
let delivery;
before(async () => {
  flow = await (await importPackage()).createOrderFlow();
  cms = flow.workflow('cms');
  delivery = flow.workflow('delivery');
});

const manager = { role: 'store_manager', stores: ['s1'] };

// ---- store visibility ----

test('visibleStores: every store for a role with scope "all", else the actor\'s own as text', () => {
  assert.deepEqual(cms.visibleStores({ role: 'admin', stores: ['s1'] }), { all: true, stores: [], errors: [] });
  assert.deepEqual(cms.visibleStores({ role: 'reporting' }), { all: true, stores: [], errors: [] });
  assert.deepEqual(cms.visibleStores({ role: 'store_manager', stores: ['s2', 1, 's1', 's2'] }), {
    all: false,
    stores: ['1', 's1', 's2'],
    errors: [],
  });
  assert.deepEqual(cms.visibleStores({ role: 'fulfillment' }), { all: false, stores: [], errors: [] });
  const ghost = cms.visibleStores({ role: 'ghost', stores: ['s1'] });
  assert.deepEqual([ghost.all, ghost.stores, ghost.errors.map((e) => e.code)], [false, [], ['forbidden_role']]);
  assert.equal(ghost.errors[0].message, '"ghost" is not a role in CMS orders.');
  assert.deepEqual(
    cms.visibleStores({ stores: ['s1'] }).errors.map((e) => e.code),
    ['invalid_actor'],
  );
  assert.ok(Object.isFrozen(cms.visibleStores(manager).stores));
  assert.throws(() => cms.visibleStores(), TypeError);
});

test("canSee agrees with check's forbidden_store for every store and actor", () => {
  const actors = [manager, { role: 'admin' }, { role: 'driver', stores: ['s2', 7] }, { role: 'ghost' }];
  const stores = ['s1', 's2', 7, '7', null, 1.5];
  for (const wf of [cms, delivery]) {
    for (const actor of actors) {
      for (const store of stores) {
        const to = wf === cms ? 'cancelled' : 'cancelled';
        const order = { status: wf.initial, store_id: store };
        const codes = wf.check(order, to, {}, actor).errors.map((e) => e.code);
        const known = !codes.includes('forbidden_role') || wf.roles.some((r) => r.id === actor.role);
        if (!known) {
          assert.equal(wf.canSee(actor, store), false);
          continue;
        }
        assert.equal(wf.canSee(actor, store), !codes.includes('forbidden_store'), `${wf.id} ${JSON.stringify(actor)} ${store}`);
      }
    }
  }
  assert.equal(cms.canSee(manager, undefined), false, 'no store: only roles covering every store');
  assert.equal(cms.canSee({ role: 'admin' }, undefined), true);
  assert.throws(() => cms.canSee(manager, { id: 's1' }), /storeId must be a string, a number or null/);
  assert.throws(() => cms.canSee(undefined, 's1'), TypeError);
});

// ---- why nothing may change ----

test("options: the options, and when there are none the reason in the workflow's words", () => {
  const open = cms.options({ status: 'new', store_id: 's1' }, manager);
  assert.deepEqual(
    open.options.map((o) => o.id),
    ['processing', 'cancelled', 'rejected'],
  );
  assert.equal('reason' in open, false);
  assert.deepEqual(open.options, [...cms.allowed({ status: 'new', store_id: 's1' }, manager)]);
  const cases = [
    [
      cms,
      { status: 'completed', store_id: 's1' },
      manager,
      'terminal_status',
      'Completed is a final status: this order can no longer change.',
    ],
    [
      cms,
      { status: 'new', store_id: 's1' },
      { role: 'reporting' },
      'read_only',
      'The Reporting User role can view orders but cannot change their status.',
    ],
    [cms, { status: 'new', store_id: 's2' }, manager, 'forbidden_store', 'This order belongs to a store you are not assigned to.'],
    [cms, { status: 'new' }, manager, 'forbidden_store', 'This order has no store, so only roles covering every store may change it.'],
    [cms, { status: 'new' }, { role: 'cashier' }, 'forbidden_role', '"cashier" is not a role in CMS orders.'],
    [delivery, { status: 'refunded' }, { role: 'admin' }, 'unknown_status', 'Refunds are not implemented yet.'],
    [
      delivery,
      { status: 'confirmed', store_id: 's1' },
      { role: 'driver', stores: ['s1'] },
      'forbidden_role',
      'The Driver role may not change an order that is Confirmed.',
    ],
    [cms, { store_id: 's1' }, manager, 'invalid_order', 'order.status: missing (expected a string)'],
    [cms, { status: 'new' }, { role: 5 }, 'invalid_actor', 'actor.role: expected a string, got a number'],
  ];
  for (const [wf, order, actor, code, message] of cases) {
    const r = wf.options(order, actor);
    assert.deepEqual(r, { options: [], reason: { code, message } }, JSON.stringify(order));
    assert.equal(wf.allowed(order, actor).length, 0, 'allowed unchanged: an empty list');
  }
});

test("options a guard refuses for this order stay listed, blocked with check's first refusal", () => {
  const cases = [
    // items out of stock, named as check names them
    [
      {
        status: 'new',
        store_id: 's1',
        items: [
          { sku: 'TEA', quantity: 3, in_stock: 1 },
          { sku: 'CUP', in_stock: true },
        ],
      },
      'processing',
    ],
    [{ status: 'new', store_id: 's1', items: [{ sku: 'TEA', quantity: 1, in_stock: false }] }, 'processing'],
    // not paid, and no payment status at all
    [{ status: 'processing', store_id: 's1', payment_status: 'pending' }, 'completed'],
    [{ status: 'ready_for_pickup', store_id: 's1' }, 'completed'],
    // no line items: the guard's missing-data sentence; a malformed item: invalid_order naming it
    [{ status: 'new', store_id: 's1' }, 'processing'],
    [{ status: 'new', store_id: 's1', items: [{ sku: 'TEA', quantity: -2 }] }, 'processing'],
  ];
  for (const [order, id] of cases) {
    const options = cms.allowed(order, manager);
    const blocked = options.filter((o) => o.blocked);
    assert.deepEqual(
      blocked.map((o) => o.id),
      [id],
      JSON.stringify(order),
    );
    const refusal = cms.check(order, id, {}, manager).errors[0];
    assert.deepEqual(blocked[0].blocked, refusal, JSON.stringify(order));
    assert.deepEqual(cms.options(order, manager), { options: [...options] }, 'options() carries the same marks, and no reason');
  }
  assert.match(cms.allowed(cases[0][0], manager)[0].blocked.message, /Not enough in stock: "TEA" \(3 ordered, 1 in stock\)\.$/);
  assert.deepEqual(cms.allowed(cases[0][0], manager)[0].blocked.items, [{ sku: 'TEA', quantity: 3, available: 1, index: 0 }]);
  assert.equal(cms.allowed(cases[5][0], manager)[0].blocked.code, 'invalid_order');
  // Every item in stock and paid: nothing blocked; the fields a transition requires never block it.
  const fine = { status: 'new', store_id: 's1', payment_status: 'paid', items: [{ sku: 'TEA', quantity: 1, in_stock: 4 }] };
  assert.deepEqual(
    cms.allowed(fine, manager).filter((o) => 'blocked' in o),
    [],
  );
  assert.equal(cms.check(fine, 'rejected', {}, manager).ok, false, 'rejected needs its reason, which is not the order');
  // Delivery has no guards.
  assert.deepEqual(
    delivery.allowed({ status: 'pending' }, { role: 'admin' }).filter((o) => 'blocked' in o),
    [],
  );
});

// ---- fields a bulk target needs ----

test('requiredFields: the fields a target needs from a set of stored statuses', () => {
  assert.deepEqual(cms.requiredFields('rejected', ['new', 'processing']), ['rejection_reason']);
  assert.deepEqual(cms.requiredFields('rejected', ['processing', 'completed', 'unknown']), []);
  assert.deepEqual(cms.requiredFields('processing', ['new']), []);
  assert.deepEqual(cms.requiredFields('rejected', []), []);
  const wf = flow.workflow({
    id: 'rf',
    name: 'RF',
    initial: 'a',
    statuses: [
      { id: 'a', label: 'A', color: '#000' },
      { id: 'b', label: 'B', color: '#000' },
      { id: 'c', label: 'C', color: '#000' },
    ],
    aliases: { old_b: { to: 'b' } },
    roles: [{ id: 'r', label: 'R', scope: 'all' }],
    fields: [
      { id: 'x', label: 'X', type: 'text' },
      { id: 'y', label: 'Y', type: 'text' },
    ],
    transitions: [
      { from: 'a', to: 'c', roles: ['r'], requires: ['y'] },
      { from: 'b', to: 'c', roles: ['r'], requires: ['x'] },
      { from: 'a', to: 'b', roles: ['r'] },
    ],
  });
  assert.deepEqual(wf.requiredFields('c', ['old_b', 'a', 'a']), ['x', 'y'], "legacy values read; the workflow's field order");
  // the same fields check reports missing for those orders
  const missing = new Set(
    ['old_b', 'a']
      .flatMap((s) => wf.check({ status: s }, 'c', {}, { role: 'r' }).errors)
      .filter((e) => e.code === 'missing_field')
      .map((e) => e.field),
  );
  assert.deepEqual([...missing].sort(), ['x', 'y']);
  assert.throws(() => cms.requiredFields('rejected', 'new'), /statuses must be an array of strings/);
  assert.throws(() => cms.requiredFields('rejected', [1]), TypeError);
  assert.throws(() => cms.requiredFields(null, ['new']), TypeError);
});

// ---- the table of error codes ----

test('flow.errorCodes: every engine code once, which are permission refusals, plain words', () => {
  const table = flow.errorCodes;
  assert.ok(Object.isFrozen(table) && Object.isFrozen(table[0]));
  assert.equal(new Set(table.map((c) => c.code)).size, table.length);
  assert.deepEqual(
    table
      .filter((c) => c.permission)
      .map((c) => c.code)
      .sort(),
    ['forbidden_role', 'forbidden_store', 'invalid_actor', 'read_only'],
  );
  for (const c of table) assert.match(c.message, /^[A-Z].*\.$/);
  // every code check answers with (besides the guards' own) is in the table
  const codes = new Set(table.map((c) => c.code));
  const guards = new Set(cms.document.guards.map((g) => g.code));
  for (const order of [{ status: 'new', store_id: 's2', items: [{ in_stock: false }] }, { status: 'completed' }, { status: 'x' }, 'o'])
    for (const actor of [manager, { role: 'reporting' }, { role: 'ghost' }, 5])
      for (const to of ['processing', 'rejected', 'nowhere'])
        for (const e of cms.check(order, to, { bogus: 1 }, actor).errors) assert.ok(codes.has(e.code) || guards.has(e.code), e.code);
  // a guard may not use one
  const doc = structuredClone(cms.document);
  doc.guards[0].code = table[3].code;
  assert.throws(() => flow.workflow(doc), /one of the engine's own codes/);
});

test("index.d.ts EngineErrorCode and the docs' table list exactly flow.errorCodes", () => {
  const dts = readFileSync(join(installPackage().packageDir, 'dist', 'index.d.ts'), 'utf8');
  const union = dts.match(/export type EngineErrorCode =([^;]*);/);
  assert.ok(union, 'EngineErrorCode in index.d.ts');
  const declared = [...union[1].matchAll(/'([a-z_]+)'/g)].map((m) => m[1]);
  assert.deepEqual(
    declared,
    flow.errorCodes.map((c) => c.code),
    'same codes, same order',
  );

  const docs = readFileSync(join(ROOT, 'docs', 'workflow-format.md'), 'utf8');
  const section = docs.split("### The engine's own error codes")[1]?.split('\n#')[0];
  assert.ok(section, 'docs/workflow-format.md has the section');
  const rows = [...section.matchAll(/^\| `([a-z_]+)` \| (yes|no) \| (.+?) \|$/gm)].map(([, code, permission, message]) => ({
    code,
    permission: permission === 'yes',
    message,
  }));
  assert.deepEqual(
    rows,
    flow.errorCodes.map((c) => ({ ...c })),
  );
});

test('the new API compiles from the declarations, and misuse does not', () => {
  const pkg = installPackage();
  const good = typecheck(pkg, {
    'good.ts': `
import { createOrderFlow, type ErrorCodeInfo, type ShortItem, type StoreScope } from 'orderflow';
const flow = await createOrderFlow();
const wf = flow.workflow('cms');
const codes: readonly ErrorCodeInfo[] = flow.errorCodes;
const permission: boolean = codes[0].permission;
const r = wf.options({ status: 'new' }, { role: 'admin' });
const why: string | undefined = r.reason?.message;
const scope: StoreScope = wf.visibleStores({ role: 'store_manager', stores: ['s1'] });
const all: boolean = scope.all || wf.canSee({ role: 'admin' }, null);
const need: ('notes' | 'rejection_reason')[] = wf.requiredFields('rejected', ['new']);
const v = wf.check({ status: 'new' }, 'processing', {}, { role: 'admin' });
const short: readonly ShortItem[] | undefined = v.ok ? undefined : v.errors[0].items;
const left: number | null | undefined = short?.[0].available;
const unavailable: string | undefined = wf.allowed({ status: 'new' }, { role: 'admin' })[0].blocked?.message;
export { permission, why, all, need, left, unavailable };
`,
  });
  assert.equal(good.status, 0, good.stdout);
  const bad = typecheck(pkg, {
    'bad.ts': `
import { createOrderFlow } from 'orderflow';
const wf = (await createOrderFlow()).workflow('cms');
wf.requiredFields('rejectd', ['new']);
wf.canSee({ role: 'admin' }, { id: 1 });
const blockedIsAnError: boolean = wf.allowed({ status: 'new' }, { role: 'admin' })[0].blocked;
export { blockedIsAnError };
`,
  });
  assert.deepEqual(
    bad.diagnostics.map((d) => d.line),
    [4, 5, 6],
    bad.stdout,
  );
});

// ---- stock refusals name their short items ----

const shortOrder = (items, id = 1) => ({ id, status: 'new', store_id: 's1', items });

test('a stock refusal carries its short items and names them, bounded', () => {
  const v = cms.check(
    shortOrder([
      { sku: 'A-1', quantity: 2, in_stock: 1 },
      { sku: 'B', quantity: 1, in_stock: true },
      { sku: 'C', quantity: 3, in_stock: false },
      { quantity: 1 },
    ]),
    'processing',
    {},
    manager,
  );
  assert.equal(v.ok, false);
  const [e] = v.errors;
  assert.equal(e.code, 'inventory_short');
  assert.equal(
    e.message,
    'Some line items are not in stock: restock them or edit the order before processing it. ' +
      'Not enough in stock: "A-1" (2 ordered, 1 in stock), "C" (3 ordered) and item 4 (1 ordered).',
  );
  assert.deepEqual(
    e.items.map(({ sku, quantity, available }) => ({ sku, quantity, available })),
    [
      { sku: 'A-1', quantity: 2, available: 1 },
      { sku: 'C', quantity: 3, available: null },
      { sku: null, quantity: 1, available: null },
    ],
  );
  assert.deepEqual(
    e.items.map((i) => i.index),
    [0, 2, 3],
  );

  const many = Array.from({ length: 500 }, (_, i) => ({ sku: `${'x'.repeat(3000)}${i}`, quantity: 2, in_stock: 0 }));
  const big = cms.check(shortOrder(many), 'processing', {}, manager).errors[0];
  assert.equal(big.items.length, 500);
  assert.ok(big.message.length < 1000, `${big.message.length} characters`);
  assert.match(big.message, / and 495 more\.$/);
});

test('planBulk names the short items exactly as check does, on both of its paths', () => {
  const orders = [
    shortOrder([{ sku: 'A', quantity: 2, in_stock: 1 }], 1),
    shortOrder([{ sku: 'A', quantity: 2, in_stock: 1 }], 2),
    shortOrder(
      [
        { sku: 'B', quantity: 1, in_stock: false },
        { sku: 7, quantity: 1, in_stock: 0 },
      ],
      3,
    ),
    shortOrder([{ sku: 'A', quantity: 1, in_stock: true }], 4),
    shortOrder([{ sku: { odd: true }, quantity: 1, in_stock: false }], 5),
    {
      ...shortOrder([{ sku: 'Z', quantity: 1, in_stock: false }], 6),
      toJSON() {
        return { ...this, toJSON: undefined };
      },
    },
    Object.create(
      { inherited: 1 },
      {
        id: { value: 7, enumerable: true },
        status: { value: 'new', enumerable: true },
        store_id: { value: 's1', enumerable: true },
        items: { value: [{ sku: 'Q', in_stock: false }], enumerable: true },
      },
    ),
  ];
  const plan = cms.planBulk(orders, 'processing', {}, manager);
  assert.deepEqual(plan.eligible, [4]);
  const byId = new Map(plan.blocked.map((b) => [b.id, b.errors]));
  for (const o of orders) {
    const v = cms.check(o, 'processing', {}, manager);
    if (v.ok) continue;
    assert.deepEqual(byId.get(o.id), v.errors, `order ${o.id}`);
  }
  assert.match(byId.get(3)[0].message, /"B" \(1 ordered\) and "7" \(1 ordered, 0 in stock\)\.$/);
  assert.match(byId.get(5)[0].message, /item 1 \(1 ordered\)\.$/);
});

test("planBulk's sku column: skus of every kind, and enough items to grow the columns, named as check names them", () => {
  // more items than the columns start with (4,096), so the sku column is grown and copied mid-batch
  const orders = [];
  const kinds = ['', 1.5, -0, 1e21, 'ü-Ω', 'x'.repeat(1025), null, true, [1], undefined];
  for (let i = 0; i < 2500; i++) {
    orders.push(
      shortOrder(
        [
          { sku: `S-${i}`, quantity: 2, in_stock: i % 3 },
          { sku: kinds[i % kinds.length], quantity: 1, in_stock: false },
          { sku: `T-${i % 7}`, quantity: 1, in_stock: true },
        ],
        i + 1,
      ),
    );
  }
  const plan = cms.planBulk(orders, 'processing', {}, manager);
  assert.equal(plan.eligible.length, 0);
  const byId = new Map(plan.blocked.map((b) => [b.id, b.errors]));
  for (const o of orders) assert.deepEqual(byId.get(o.id), cms.check(o, 'processing', {}, manager).errors, `order ${o.id}`);
  assert.deepEqual(
    byId.get(2)[0].items.map((it) => it.sku),
    ['S-1', '1.5'],
  );
  assert.deepEqual(
    byId.get(1)[0].items.map((it) => it.sku),
    ['S-0', null],
  );
});
