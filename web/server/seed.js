// Deterministic demo data, created on first start only. The statuses and transitions are not
// written here: each order's history is a path through the workflow found by asking the engine
// (`allowed` from the initial status, `check` on every step), so the data follows whatever
// workflow JSON the engine serves. What is demo data: stores, users and their roles, products,
// customers, payment states and the stock shortages.
import { hashPasswordAsync } from './auth.js';
import { StatusChange } from './services/status-change.js';

export const STORES = [
  { id: 's1', name: 'Downtown' },
  { id: 's2', name: 'Uptown' },
  { id: 's3', name: 'Airport' },
];

export const DEMO_USERS = [
  { username: 'admin', display_name: 'Ada Admin', roles: { cms: 'admin', delivery: 'admin' }, stores: ['s1', 's2', 's3'] },
  { username: 'manager', display_name: 'Max Manager', roles: { cms: 'store_manager', delivery: 'manager' }, stores: ['s1', 's2'] },
  { username: 'fulfillment', display_name: 'Fran Fulfillment', roles: { cms: 'fulfillment', delivery: null }, stores: ['s1'] },
  { username: 'reporting', display_name: 'Rae Reporting', roles: { cms: 'reporting', delivery: null }, stores: ['s1', 's2', 's3'] },
  { username: 'driver', display_name: 'Dev Driver', roles: { cms: null, delivery: 'driver' }, stores: ['s1', 's2', 's3'] },
];

const PRODUCTS = [
  ['BRD-SOUR', 'Sourdough loaf', 6.5],
  ['BRD-RYE', 'Rye bread', 5.0],
  ['CRO-BUT', 'Butter croissant', 2.8],
  ['CAK-CHOC', 'Chocolate cake', 24.0],
  ['TEA-EARL', 'Earl Grey tea', 7.9],
  ['COF-BEAN', 'Coffee beans 500 g', 12.5],
  ['JAM-APR', 'Apricot jam', 4.6],
  ['HON-WLD', 'Wildflower honey', 9.9],
  ['CHE-GOU', 'Aged gouda', 14.2],
  ['OIL-OLV', 'Olive oil 1 l', 16.0],
  ['NUT-MIX', 'Mixed nuts', 8.4],
  ['CHO-DRK', 'Dark chocolate', 3.9],
];
// Store/SKU pairs left without available stock after seeding, so inventory refusals can be seen.
const SHORTAGES = [
  ['s1', 'TEA-EARL'],
  ['s2', 'CAK-CHOC'],
  ['s3', 'HON-WLD'],
  ['s1', 'OIL-OLV'],
];
const FIRST = ['Alex', 'Sam', 'Jordan', 'Taylor', 'Morgan', 'Casey', 'Riley', 'Jamie', 'Avery', 'Quinn', 'Robin', 'Kai'];
const LAST = ['Nguyen', 'Garcia', 'Smith', 'Müller', 'Kowalski', 'Okafor', 'Rossi', 'Tanaka', 'Silva', 'Dubois'];
const NOTES = ['Customer called ahead', 'Checked by the shift lead', 'Packed in a paper bag', 'Left at the front desk', null, null];
const PAYMENTS = ['paid', 'paid', 'pending', 'failed'];
const BASE_TIME = Date.UTC(2026, 0, 5, 8, 0, 0);

function prng(seed) {
  // mulberry32
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function fieldDefs(wf) {
  return Object.fromEntries(wf.fields.map((f) => [f.id, f]));
}

// A value for a field of the workflow: "text" (maxLength always filled in) or "choice".
function demoValue(def, n) {
  if (def.type === 'choice') return def.values[n % def.values.length];
  return `${def.label} ${1000 + n}`.slice(0, def.maxLength);
}

// Shortest path (list of options) from the initial status to every reachable status, for an
// actor who may do everything and an order that passes every guard.
// An order in `status` that passes every guard.
const probe = (status) => ({
  id: 1,
  status,
  store_id: STORES[0].id,
  lock_version: 0,
  payment_status: 'paid',
  items: [{ sku: PRODUCTS[0][0], quantity: 1, in_stock: true }],
});

// Whether the user's role in this workflow may only view orders: the engine's read_only reason
// for a new order in one of the user's stores (the rule stays in the engine).
function readOnlyIn(view, user) {
  const actor = view.actor(user);
  const order = { ...probe(view.wf.initial), store_id: user.stores[0] };
  return view.wf.options(order, actor).reason?.code === 'read_only';
}

function pathsFrom(view, actor) {
  const start = view.wf.initial;
  const paths = new Map([[start, []]]);
  const queue = [start];
  while (queue.length) {
    const s = queue.shift();
    const opts = view.wf.allowed(probe(s), actor);
    for (const o of opts) {
      if (!paths.has(o.id)) {
        paths.set(o.id, [...paths.get(s), o]);
        queue.push(o.id);
      }
    }
  }
  return { start, paths };
}

// Computes the demo data through the engine, then hands it to the store in one transaction.
export async function seed(store, views, { cmsOrders = 240, deliveryOrders = 72 } = {}) {
  const rand = prng(20260105);
  const pick = (arr) => arr[Math.floor(rand() * arr.length)];
  const hashes = await Promise.all(DEMO_USERS.map(() => hashPasswordAsync('demo'))); // scrypt on the thread pool
  const users = DEMO_USERS.map((u, i) => ({ ...u, password_hash: hashes[i] }));
  const inventory = new Map(); // "store\0sku" -> {store_id, sku, on_hand, reserved}
  const orders = [];
  const moveStock = (storeId, items, fromStock, toStock) => {
    for (const [sku, d] of StatusChange.stockDeltas(items, fromStock, toStock)) {
      const k = `${storeId}\u0000${sku}`;
      const inv = inventory.get(k) ?? { store_id: storeId, sku, on_hand: 0, reserved: 0 };
      inv.on_hand += d.onHand;
      inv.reserved += d.reserved;
      inventory.set(k, inv);
    }
  };

  {
    // Stock scales with the number of orders so that most orders can be fulfilled.
    const scale = Math.max(1, Math.ceil((cmsOrders + deliveryOrders) / 300));
    for (const s of STORES)
      for (const [sku] of PRODUCTS)
        inventory.set(`${s.id}\u0000${sku}`, { store_id: s.id, sku, on_hand: (60 + Math.floor(rand() * 90)) * scale, reserved: 0 });

    let nextId = 1;
    const plan = [
      [views.cms, cmsOrders],
      [views.delivery, deliveryOrders],
    ];
    for (const [view, count] of plan) {
      const admin = DEMO_USERS.find((u) => u.roles[view.id] && view.visibleStores(u) === 'all' && !readOnlyIn(view, u)) ?? DEMO_USERS[0];
      const actor = { role: admin.roles[view.id], stores: admin.stores };
      const { start, paths } = pathsFrom(view, actor);
      const targets = view.statusIds.filter((s) => paths.has(s));
      const fields = fieldDefs(view.wf);
      const staff = DEMO_USERS.filter((u) => u.roles[view.id] && !readOnlyIn(view, u)).map((u) => u.username);
      for (let n = 0; n < count; n++) {
        const id = nextId++;
        const storeId = STORES[n % STORES.length].id;
        const target = targets[(n * 7 + Math.floor(n / targets.length)) % targets.length];
        const steps = paths.get(target);
        const items = [];
        const itemCount = 1 + Math.floor(rand() * 3);
        for (let k = 0; k < itemCount; k++) {
          const p = pick(PRODUCTS);
          if (!items.some((it) => it.sku === p[0]))
            items.push({ sku: p[0], name: p[1], price: p[2], quantity: 1 + Math.floor(rand() * 3) });
        }
        // Orders waiting at the start include short SKUs now and then.
        if (steps.length === 0 && n % 4 === 0) {
          const short = SHORTAGES.find(([s]) => s === storeId);
          const p = PRODUCTS.find(([sku]) => sku === short[1]);
          if (!items.some((it) => it.sku === p[0])) items.push({ sku: p[0], name: p[1], price: p[2], quantity: 2 });
        }
        let payment = pick(PAYMENTS);
        // Walk the path through the engine; a step refused for payment means the order was paid.
        const history = [];
        let status = start;
        let fieldsUsed = [];
        for (let attempt = 0; attempt < 2; attempt++) {
          history.length = 0;
          status = start;
          fieldsUsed = [];
          let refused = null;
          for (const [k, opt] of steps.entries()) {
            const f = {};
            for (const name of [...(opt.requires ?? []), ...(opt.optional ?? [])]) {
              if (name === 'notes') {
                const note = NOTES[(n + k) % NOTES.length];
                if (note) f.notes = note;
                continue;
              }
              f[name] = demoValue(fields[name], id);
            }
            const order = {
              id,
              status,
              store_id: storeId,
              lock_version: k,
              payment_status: payment,
              items: items.map((it) => ({ sku: it.sku, quantity: it.quantity, in_stock: true })),
            };
            const v = view.wf.check(order, opt.id, f, actor);
            if (!v.ok) {
              refused = v.errors;
              break;
            }
            history.push({ from: status, to: opt.id, fields: f });
            fieldsUsed.push(f);
            status = opt.id;
          }
          if (!refused) break;
          if (refused.some((e) => e.code === 'payment_required')) {
            payment = 'paid';
            continue;
          }
          throw new Error(`seed: the engine refused a demo path for ${view.id} order ${id}: ${JSON.stringify(refused)}`);
        }
        const created = BASE_TIME + id * 37 * 60 * 1000;
        let t = created;
        const stamps = history.map(() => new Date((t += (20 + Math.floor(rand() * 600)) * 60 * 1000)).toISOString());
        const lastAt = stamps.length ? stamps[stamps.length - 1] : new Date(created).toISOString();
        const lastBy = history.length ? staff[(n + history.length) % staff.length] : null;
        const legacy = view.storedAs(status)[1]; // the first legacy value read as this status, if any
        const stored = history.length && n % 3 === 0 && legacy !== undefined ? legacy : status;
        const tracking =
          fieldsUsed
            .map((f) => f.tracking_number)
            .filter((t) => typeof t === 'string')
            .pop() ?? null;
        const total = Math.round(items.reduce((s, it) => s + it.price * it.quantity, 0) * 100) / 100;
        const rows = [
          {
            lock_version: 0,
            from_status: null,
            to_status: start,
            actor: 'system',
            at: new Date(created).toISOString(),
            notes: 'Order placed',
            fields: {},
            source: 'api',
          },
        ];
        history.forEach((h, k) => {
          const { notes, ...rest } = h.fields;
          rows.push({
            lock_version: k + 1,
            from_status: h.from,
            to_status: h.to,
            actor: staff[(n + k + 1) % staff.length],
            at: stamps[k],
            notes: notes ?? null,
            fields: rest,
            source: k === history.length - 1 && n % 5 === 0 ? 'pos' : 'ui',
          });
        });
        orders.push({
          id,
          workflow: view.id,
          status: stored,
          store_id: storeId,
          lock_version: history.length,
          payment_status: payment,
          customer_name: `${pick(FIRST)} ${pick(LAST)}`,
          total,
          tracking_number: tracking,
          created_at: new Date(created).toISOString(),
          updated_at: lastAt,
          updated_by: lastBy,
          items: items.map(({ sku, name, quantity }) => ({ sku, name, quantity })),
          history: rows,
        });
        moveStock(storeId, items, 'none', view.stockOf(status));
      }
    }
    // Leave the shortage SKUs with nothing (or one unit) available.
    SHORTAGES.forEach(([s, sku], i) => {
      const inv = inventory.get(`${s}\u0000${sku}`);
      if (inv) inv.on_hand = Math.max(inv.reserved, 0) + (i % 2);
    });
  }
  await store.loadSeed({ stores: STORES, users, inventory: [...inventory.values()], orders });
}
