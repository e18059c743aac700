// Deterministic generators of orders and actors for the module tests and the benchmark.
// Statuses come from the workflow itself (plus legacy, unknown and malformed values), so the
// generator holds no workflow rule of its own.

/** A small deterministic PRNG (mulberry32). */
export function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = (rnd, list) => list[Math.floor(rnd() * list.length)];

/**
 * `count` orders over the workflow's statuses. With `messy`, a share of them are unusual or
 * malformed (legacy/unknown statuses, numeric store ids, wrong types, odd items).
 */
export function generateOrders(workflow, count, { seed = 1, messy = false } = {}) {
  const rnd = random(seed);
  const statuses = workflow.statuses.map((s) => s.id);
  const legacy = Object.keys(workflow.document.aliases || {});
  const stores = ['s1', 's2', 's3'];
  const payments = ['paid', 'pending', 'failed'];
  const orders = new Array(count);
  for (let i = 0; i < count; i++) {
    const nItems = Math.floor(rnd() * 4);
    const items = [];
    for (let j = 0; j < nItems; j++) {
      const r = rnd();
      const quantity = 1 + Math.floor(rnd() * 3);
      items.push({ sku: `SKU-${j}`, quantity, in_stock: r < 0.45 ? true : r < 0.5 ? false : Math.floor(rnd() * 5) });
    }
    const order = {
      id: i + 1,
      status: pick(rnd, statuses),
      store_id: pick(rnd, stores),
      lock_version: 1,
      payment_status: pick(rnd, payments),
      items,
    };
    if (messy) {
      const r = rnd();
      if (r < 0.03) order.status = pick(rnd, legacy.length ? legacy : ['legacy']);
      else if (r < 0.05) order.status = pick(rnd, ['', 'unknown', 'NEW']);
      else if (r < 0.08) order.store_id = pick(rnd, [1, 2, 3, null, 1.5, -0]);
      else if (r < 0.1) delete order.payment_status;
      else if (r < 0.11) delete order.items;
      else if (r < 0.12)
        order.items.push({
          sku: 'X',
          quantity: pick(rnd, [0, null, '1', -1, 2.5]),
          in_stock: pick(rnd, [true, 3.5, null, 'no', undefined]),
        });
      else if (r < 0.125) orders[i] = pick(rnd, [null, 7, 'order', [order]]);
      else if (r < 0.13) order.status = pick(rnd, [null, 5, undefined]);
      else if (r < 0.135) order.store_id = pick(rnd, [true, { id: 's1' }, ['s1']]);
      else if (r < 0.14) order.payment_status = pick(rnd, [0, true, {}]);
      else if (r < 0.145) delete order.id;
      else if (r < 0.15) order.id = pick(rnd, [`order-${i}`, null, { n: i }]);
    }
    if (orders[i] === undefined) orders[i] = order;
  }
  return orders;
}

/** Actors over the workflow's roles, each with some stores (numbers and strings). */
export function generateActors(workflow) {
  const actors = [];
  for (const role of workflow.roles) {
    actors.push({ role: role.id, stores: ['s1'] });
    actors.push({ role: role.id, stores: ['s1', 's2', '1'] });
    actors.push({ role: role.id, stores: [] });
  }
  actors.push({ role: 'nobody', stores: ['s1'] });
  return actors;
}
