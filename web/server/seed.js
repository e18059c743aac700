// Deterministic demo data, created on first start only. The statuses and transitions are not
// written here: each order's history is a path through the workflow found by asking the engine
// (`allowed` from the initial status, `check` on every step), so the data follows whatever
// workflow JSON the engine serves. What is demo data: stores, users and their roles, products,
// customers, payment states and the stock shortages.
import { hashPasswordAsync } from './auth.js';
import { OrderStore } from './orders.js';

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
  ['BRD-SOUR', 'Sourdough loaf', 6.5], ['BRD-RYE', 'Rye bread', 5.0], ['CRO-BUT', 'Butter croissant', 2.8],
  ['CAK-CHOC', 'Chocolate cake', 24.0], ['TEA-EARL', 'Earl Grey tea', 7.9], ['COF-BEAN', 'Coffee beans 500 g', 12.5],
  ['JAM-APR', 'Apricot jam', 4.6], ['HON-WLD', 'Wildflower honey', 9.9], ['CHE-GOU', 'Aged gouda', 14.2],
  ['OIL-OLV', 'Olive oil 1 l', 16.0], ['NUT-MIX', 'Mixed nuts', 8.4], ['CHO-DRK', 'Dark chocolate', 3.9],
];
// Store/SKU pairs left without available stock after seeding, so inventory refusals can be seen.
const SHORTAGES = [['s1', 'TEA-EARL'], ['s2', 'CAK-CHOC'], ['s3', 'HON-WLD'], ['s1', 'OIL-OLV']];
const FIRST = ['Alex', 'Sam', 'Jordan', 'Taylor', 'Morgan', 'Casey', 'Riley', 'Jamie', 'Avery', 'Quinn', 'Robin', 'Kai'];
const LAST = ['Nguyen', 'Garcia', 'Smith', 'Müller', 'Kowalski', 'Okafor', 'Rossi', 'Tanaka', 'Silva', 'Dubois'];
const NOTES = ['Customer called ahead', 'Checked by the shift lead', 'Packed in a paper bag', 'Left at the front desk', null, null];
const PAYMENTS = ['paid', 'paid', 'pending', 'failed'];
const BASE_TIME = Date.UTC(2026, 0, 5, 8, 0, 0);

function prng(seed) {  // mulberry32
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
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
function pathsFrom(view, actor) {
  const start = view.wf.initial;
  const probe = (status) => ({ id: 1, status, store_id: STORES[0].id, lock_version: 0, payment_status: 'paid',
    items: [{ sku: PRODUCTS[0][0], quantity: 1, in_stock: true }] });
  const paths = new Map([[start, []]]);
  const queue = [start];
  while (queue.length) {
    const s = queue.shift();
    const opts = view.wf.allowed(probe(s), actor);
    for (const o of opts) {
      if (!paths.has(o.id)) { paths.set(o.id, [...paths.get(s), o]); queue.push(o.id); }
    }
  }
  return { start, paths };
}

export async function seed(db, views, { cmsOrders = 240, deliveryOrders = 72 } = {}) {
  const rand = prng(20260105);
  const pick = (arr) => arr[Math.floor(rand() * arr.length)];
  const now = new Date().toISOString();
  const insStore = db.prepare('INSERT INTO stores (id, name) VALUES (?, ?)');
  const insUser = db.prepare('INSERT INTO users (username, display_name, password_hash, roles, stores) VALUES (?, ?, ?, ?, ?)');
  const insOrder = db.prepare(`INSERT INTO orders (id, workflow, status, store_id, lock_version, payment_status, customer_name, total,
                               tracking_number, created_at, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insItem = db.prepare('INSERT INTO order_items (order_id, sku, name, quantity) VALUES (?, ?, ?, ?)');
  const insInv = db.prepare('INSERT INTO inventory (store_id, sku, on_hand, reserved) VALUES (?, ?, ?, 0)');
  const insHist = db.prepare(`INSERT INTO history (order_id, lock_version, from_status, to_status, actor, at, notes, fields, source)
                              VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const store = new OrderStore(db);
  const hashes = await Promise.all(DEMO_USERS.map(() => hashPasswordAsync('demo')));  // scrypt on the thread pool

  db.transaction(() => {
    for (const s of STORES) insStore.run(s.id, s.name);
    DEMO_USERS.forEach((u, i) => insUser.run(u.username, u.display_name, hashes[i], JSON.stringify(u.roles), JSON.stringify(u.stores)));
    // Stock scales with the number of orders so that most orders can be fulfilled.
    const scale = Math.max(1, Math.ceil((cmsOrders + deliveryOrders) / 300));
    for (const s of STORES) for (const [sku] of PRODUCTS) insInv.run(s.id, sku, (60 + Math.floor(rand() * 90)) * scale);

    let nextId = 1;
    const plan = [[views.cms, cmsOrders], [views.delivery, deliveryOrders]];
    for (const [view, count] of plan) {
      const admin = DEMO_USERS.find((u) => u.roles[view.id] && view.visibleStores(u) === 'all' && !view.roleDef(u.roles[view.id])?.readOnly)
        ?? DEMO_USERS[0];
      const actor = { role: admin.roles[view.id], stores: admin.stores };
      const { start, paths } = pathsFrom(view, actor);
      const targets = view.statusIds.filter((s) => paths.has(s));
      const fields = fieldDefs(view.wf);
      const staff = DEMO_USERS.filter((u) => u.roles[view.id] && !view.roleDef(u.roles[view.id])?.readOnly).map((u) => u.username);
      for (let n = 0; n < count; n++) {
        const id = nextId++;
        const storeId = STORES[n % STORES.length].id;
        const target = targets[(n * 7 + Math.floor(n / targets.length)) % targets.length];
        const steps = paths.get(target);
        const items = [];
        const itemCount = 1 + Math.floor(rand() * 3);
        for (let k = 0; k < itemCount; k++) {
          const p = pick(PRODUCTS);
          if (!items.some((it) => it.sku === p[0])) items.push({ sku: p[0], name: p[1], price: p[2], quantity: 1 + Math.floor(rand() * 3) });
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
          history.length = 0; status = start; fieldsUsed = [];
          let refused = null;
          for (const [k, opt] of steps.entries()) {
            const f = {};
            for (const name of [...(opt.requires ?? []), ...(opt.optional ?? [])]) {
              if (name === 'notes') { const note = NOTES[(n + k) % NOTES.length]; if (note) f.notes = note; continue; }
              f[name] = demoValue(fields[name], id);
            }
            const order = { id, status, store_id: storeId, lock_version: k, payment_status: payment,
              items: items.map((it) => ({ sku: it.sku, quantity: it.quantity, in_stock: true })) };
            const v = view.wf.check(order, opt.id, f, actor);
            if (!v.ok) { refused = v.errors; break; }
            history.push({ from: status, to: opt.id, fields: f });
            fieldsUsed.push(f);
            status = opt.id;
          }
          if (!refused) break;
          if (refused.some((e) => e.code === 'payment_required')) { payment = 'paid'; continue; }
          throw new Error(`seed: the engine refused a demo path for ${view.id} order ${id}: ${JSON.stringify(refused)}`);
        }
        const created = BASE_TIME + id * 37 * 60 * 1000;
        let t = created;
        const stamps = history.map(() => new Date((t += (20 + Math.floor(rand() * 600)) * 60 * 1000)).toISOString());
        const lastAt = stamps.length ? stamps[stamps.length - 1] : new Date(created).toISOString();
        const lastBy = history.length ? staff[(n + history.length) % staff.length] : null;
        const legacy = view.storedAs(status)[1];  // the first legacy value read as this status, if any
        const stored = history.length && n % 3 === 0 && legacy !== undefined ? legacy : status;
        const tracking = fieldsUsed.map((f) => f.tracking_number).filter((t) => typeof t === 'string').pop() ?? null;
        const total = Math.round(items.reduce((s, it) => s + it.price * it.quantity, 0) * 100) / 100;
        insOrder.run(id, view.id, stored, storeId, history.length, payment, `${pick(FIRST)} ${pick(LAST)}`, total,
          tracking, new Date(created).toISOString(), lastAt, lastBy);
        for (const it of items) insItem.run(id, it.sku, it.name, it.quantity);
        insHist.run(id, 0, null, start, 'system', new Date(created).toISOString(), 'Order placed', '{}', 'api');
        history.forEach((h, k) => {
          const { notes, ...rest } = h.fields;
          insHist.run(id, k + 1, h.from, h.to, staff[(n + k + 1) % staff.length], stamps[k], notes ?? null,
            JSON.stringify(rest), k === history.length - 1 && n % 5 === 0 ? 'pos' : 'ui');
        });
        store.moveStock({ store_id: storeId }, items, 'none', view.stockOf(status));
      }
    }
    // Leave the shortage SKUs with nothing (or one unit) available.
    const setOnHand = db.prepare('UPDATE inventory SET on_hand = MAX(reserved, 0) + ? WHERE store_id = ? AND sku = ?');
    SHORTAGES.forEach(([s, sku], i) => setOnHand.run(i % 2, s, sku));
    db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('seeded_at', ?)").run(now);
  })();
}
