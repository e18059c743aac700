// Checks that a reference-server database agrees with itself: every order's history is complete
// and unduplicated (one row per lock_version, the last one naming the current status), every
// store's reserved stock is exactly what the orders holding a reservation need (across all
// workflows), and no more than is on hand. Used by the
// server tests and the load benchmark. `statuses`: {workflowId: [{id, stock}]} from the workflow
// documents; `normalize`: {workflowId: (stored) => current} for legacy stored values.
import Database from 'better-sqlite3';

export function checkConsistency(file, statuses, normalize = {}) {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const problems = [];
    const stock = {};
    for (const [wf, list] of Object.entries(statuses)) stock[wf] = new Map(list.map((s) => [s.id, s.stock ?? 'none']));
    const current = (wf, s) => (normalize[wf] ? normalize[wf](s) : s);
    const orders = db.prepare('SELECT id, workflow, status, store_id, lock_version FROM orders ORDER BY id').all();
    const hist = db.prepare(`SELECT order_id, COUNT(*) AS n, MIN(lock_version) AS lo, MAX(lock_version) AS hi,
                             COUNT(DISTINCT lock_version) AS distinct_versions FROM history GROUP BY order_id`).all();
    const byOrder = new Map(hist.map((h) => [h.order_id, h]));
    const last = new Map(db.prepare(`SELECT h.order_id, h.to_status FROM history h
      JOIN (SELECT order_id, MAX(lock_version) AS v FROM history GROUP BY order_id) m
      ON m.order_id = h.order_id AND m.v = h.lock_version`).all().map((r) => [r.order_id, r.to_status]));
    const items = db.prepare('SELECT order_id, sku, quantity FROM order_items').all();
    const itemsOf = new Map();
    for (const it of items) { if (!itemsOf.has(it.order_id)) itemsOf.set(it.order_id, []); itemsOf.get(it.order_id).push(it); }
    const expectedReserved = new Map();
    for (const o of orders) {
      const h = byOrder.get(o.id);
      if (!h) { problems.push(`order ${o.id}: no history`); continue; }
      if (h.n !== o.lock_version + 1 || h.distinct_versions !== h.n || h.lo !== 0 || h.hi !== o.lock_version) {
        problems.push(`order ${o.id}: lock_version ${o.lock_version} but ${h.n} history rows (versions ${h.lo}..${h.hi})`);
      }
      const cur = current(o.workflow, o.status);
      if (last.get(o.id) !== cur) problems.push(`order ${o.id}: status ${cur} but last history row says ${last.get(o.id)}`);
      if (stock[o.workflow]?.get(cur) === 'reserved') {
        for (const it of itemsOf.get(o.id) ?? []) {
          const k = `${o.store_id}/${it.sku}`;
          expectedReserved.set(k, (expectedReserved.get(k) ?? 0) + it.quantity);
        }
      }
    }
    for (const inv of db.prepare('SELECT store_id, sku, on_hand, reserved FROM inventory').all()) {
      const k = `${inv.store_id}/${inv.sku}`;
      // stock is shared by every workflow: reservations never exceed what is on hand
      if (inv.reserved > inv.on_hand) problems.push(`inventory ${k}: reserved ${inv.reserved} exceeds on hand ${inv.on_hand}`);
      if (inv.on_hand < 0) problems.push(`inventory ${k}: on hand ${inv.on_hand} is negative`);
      const want = expectedReserved.get(k) ?? 0;
      if (inv.reserved !== want) problems.push(`inventory ${k}: reserved ${inv.reserved}, orders hold ${want}`);
      expectedReserved.delete(k);
    }
    for (const [k, want] of expectedReserved) if (want) problems.push(`inventory ${k}: no row, orders hold ${want}`);
    const counts = db.prepare(`SELECT (SELECT COUNT(*) FROM orders) AS orders, (SELECT COUNT(*) FROM history) AS history,
      (SELECT COUNT(*) FROM notifications) AS notifications, (SELECT COUNT(*) FROM notification_items) AS notification_items`).get();
    return { ok: problems.length === 0, problems, counts };
  } finally {
    db.close();
  }
}
