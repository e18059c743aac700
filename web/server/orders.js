// Orders in SQLite, read for the API and for the engine, and changed only through the engine:
// every change is one transaction that re-reads the order, asks `wf.check`, and writes status,
// lock_version, history, inventory moves and the customer notification together, or nothing.
// The side effects come from the statuses' `stock` and `notify` attributes in the workflow.

const PERMISSION_CODES = new Set(['read_only', 'forbidden_role', 'forbidden_store', 'invalid_actor']);

// Only permission problems (the 403 case); anything else is a refusal on the merits (422).
export function permissionOnly(errors) {
  return errors.length > 0 && errors.every((e) => PERMISSION_CODES.has(e.code));
}

// Helpers that read a loaded workflow (the module's object) without knowing any status name.
export class WorkflowView {
  constructor(wf, id) {
    this.wf = wf;
    this.id = id ?? wf.id;
    this.statuses = wf.statuses;
    this.statusIds = wf.statuses.map((s) => s.id);
    this.byId = new Map(wf.statuses.map((s) => [s.id, s]));
    this.normalized = new Map();
    this.storedValues = null;
  }

  // Current status id -> every value an order in it may be stored as: the id itself, then the
  // legacy aliases the engine reads as it (in the document's order). Computed once.
  storedAs(status) {
    if (!this.storedValues) {
      this.storedValues = new Map(this.statusIds.map((id) => [id, [id]]));
      for (const legacy of Object.keys(this.wf.document.aliases)) {
        const to = this.normalize(legacy);
        if (to !== null) this.storedValues.get(to).push(legacy);
      }
    }
    return this.storedValues.get(status) ?? [];
  }

  // Stored value -> current status id, or null when the engine does not know it.
  normalize(stored) {
    let v = this.normalized.get(stored);
    if (v === undefined) {
      const r = this.wf.normalize(stored);
      v = r && r.ok ? r.status : null;
      this.normalized.set(stored, v);
    }
    return v;
  }

  stockOf(stored) {
    const s = this.byId.get(this.normalize(stored));
    return s?.stock ?? 'none';
  }

  // The workflow document's definition of a role, or null.
  roleDef(role) {
    if (!role) return null;
    return this.wf.document.roles.find((r) => r.id === role) ?? null;
  }

  // Stores whose orders this user may see: 'all', an array, or null (no role in this workflow).
  visibleStores(user) {
    const role = user.roles?.[this.id];
    if (!role) return null;
    const def = this.roleDef(role);
    if (def && def.scope === 'all') return 'all';
    return user.stores ?? [];
  }

  actor(user) {
    return { role: user.roles?.[this.id] ?? null, stores: user.stores ?? [] };
  }

  // Whether `stores` (an answer of visibleStores: 'all', an array, or null) holds store `storeId`.
  static canSee(stores, storeId) {
    return stores === 'all' || (!!stores && stores.includes(storeId));
  }
}

export class OrderStore {
  constructor(db, { failOrderIds = new Set() } = {}) {
    this.db = db;
    this.failOrderIds = failOrderIds;  // test hook: a change of these orders throws after writing
    this.q = {
      order: db.prepare('SELECT * FROM orders WHERE id = ?'),
      items: db.prepare('SELECT sku, name, quantity FROM order_items WHERE order_id = ? ORDER BY id'),
      itemsOf: db.prepare(`SELECT order_id, sku, name, quantity FROM order_items
                           WHERE order_id IN (SELECT value FROM json_each(?)) ORDER BY order_id, id`),
      ordersIn: db.prepare('SELECT * FROM orders WHERE id IN (SELECT value FROM json_each(?))'),
      inv: db.prepare('SELECT on_hand, reserved FROM inventory WHERE store_id = ? AND sku = ?'),
      invAll: db.prepare('SELECT store_id, sku, on_hand, reserved FROM inventory'),
      invUpsert: db.prepare(`INSERT INTO inventory (store_id, sku, on_hand, reserved) VALUES (?, ?, ?, ?)
                             ON CONFLICT (store_id, sku) DO UPDATE SET on_hand = on_hand + excluded.on_hand,
                             reserved = reserved + excluded.reserved`),
      update: db.prepare(`UPDATE orders SET status = ?, lock_version = lock_version + 1, updated_at = ?, updated_by = ?,
                          tracking_number = COALESCE(?, tracking_number) WHERE id = ? AND lock_version = ?`),
      history: db.prepare(`INSERT INTO history (order_id, lock_version, from_status, to_status, actor, at, notes, fields, source)
                           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      historyOf: db.prepare('SELECT * FROM history WHERE order_id = ? ORDER BY lock_version, id'),
      historyRow: db.prepare('SELECT * FROM history WHERE id = ?'),
      notification: db.prepare('INSERT INTO notifications (kind, created_at) VALUES (?, ?)'),
      notificationItem: db.prepare('INSERT INTO notification_items (notification_id, order_id, lock_version, status) VALUES (?, ?, ?, ?)'),
      displayName: db.prepare('SELECT display_name FROM users WHERE username = ?'),
    };
    this.names = new Map();  // username -> display name (or null), read once: names do not change while running
    this.listStatements = new Map();  // SQL text -> prepared statement (a few shapes of list query)
  }

  prepared(sql) {
    let st = this.listStatements.get(sql);
    if (!st) this.listStatements.set(sql, (st = this.db.prepare(sql)));
    return st;
  }

  // --- reading ----------------------------------------------------------------------------

  // The person's name for a username, for staff to read beside "changed by" (null if unknown).
  displayName(username) {
    if (!username) return null;
    if (!this.names.has(username)) this.names.set(username, this.q.displayName.get(username)?.display_name ?? null);
    return this.names.get(username);
  }

  inventoryMap() {
    const m = new Map();
    for (const r of this.q.invAll.iterate()) m.set(`${r.store_id}\u0000${r.sku}`, r);
    return m;
  }

  // API shape of an order row. `inv` maps "store\0sku" to {on_hand, reserved}.
  apiOrder(view, row, items, inv) {
    const holds = view.stockOf(row.status) === 'reserved';
    const status = view.normalize(row.status);
    return {
      id: row.id,
      workflow: row.workflow,
      status: status ?? row.status,
      ...(status !== row.status ? { stored_status: row.status } : {}),
      store_id: row.store_id,
      lock_version: row.lock_version,
      payment_status: row.payment_status,
      customer_name: row.customer_name,
      total: row.total,
      items: items.map((it) => {
        const stock = inv.get(`${row.store_id}\u0000${it.sku}`) ?? { on_hand: 0, reserved: 0 };
        const available = stock.on_hand - stock.reserved + (holds ? it.quantity : 0);
        return { sku: it.sku, name: it.name, quantity: it.quantity, in_stock: available >= it.quantity };
      }),
      tracking_number: row.tracking_number ?? null,
      created_at: row.created_at,
      updated_at: row.updated_at,
      updated_by: row.updated_by ?? null,
      updated_by_name: this.displayName(row.updated_by),
    };
  }

  // The order as the engine reads it.
  static engineOrder(row, apiOrder) {
    return {
      id: row.id,
      status: row.status,
      store_id: row.store_id,
      lock_version: row.lock_version,
      payment_status: row.payment_status,
      items: apiOrder.items.map((it) => ({ sku: it.sku, quantity: it.quantity, in_stock: it.in_stock })),
    };
  }

  // One order with its items, or null (also when it belongs to another workflow).
  get(view, id) {
    const row = this.q.order.get(id);
    if (!row || row.workflow !== view.id) return null;
    const items = this.q.items.all(id);
    const inv = new Map();
    for (const it of items) {
      const k = `${row.store_id}\u0000${it.sku}`;
      if (!inv.has(k)) inv.set(k, this.q.inv.get(row.store_id, it.sku) ?? { on_hand: 0, reserved: 0 });
    }
    const order = this.apiOrder(view, row, items, inv);
    return { row, order, engine: OrderStore.engineOrder(row, order) };
  }

  // Several orders by id (missing or other-workflow ids are absent from the map).
  getMany(view, ids) {
    const json = JSON.stringify(ids);
    const rows = this.q.ordersIn.all(json).filter((r) => r.workflow === view.id);
    const items = new Map();
    for (const it of this.q.itemsOf.all(json)) {
      let list = items.get(it.order_id);
      if (!list) items.set(it.order_id, (list = []));
      list.push(it);
    }
    const inv = this.inventoryMap();
    const out = new Map();
    for (const row of rows) {
      const order = this.apiOrder(view, row, items.get(row.id) ?? [], inv);
      out.set(row.id, { row, order, engine: OrderStore.engineOrder(row, order) });
    }
    return out;
  }

  // Paged list. stores: 'all' or an array. status: a current status id (matched through aliases).
  list(view, { stores, storeId, status, page, perPage }) {
    const where = ['workflow = ?'];
    const args = [view.id];
    if (stores !== 'all') {
      where.push('store_id IN (SELECT value FROM json_each(?))');
      args.push(JSON.stringify(stores));
    }
    if (storeId) { where.push('store_id = ?'); args.push(storeId); }
    if (status) {
      where.push('status IN (SELECT value FROM json_each(?))');
      args.push(JSON.stringify(view.storedAs(status)));
    }
    const w = where.join(' AND ');
    const total = this.prepared(`SELECT COUNT(*) AS n FROM orders WHERE ${w}`).get(...args).n;
    const rows = this.prepared(`SELECT * FROM orders WHERE ${w} ORDER BY id LIMIT ? OFFSET ?`)
      .all(...args, perPage, (page - 1) * perPage);
    const items = new Map();
    if (rows.length) {
      for (const it of this.q.itemsOf.all(JSON.stringify(rows.map((r) => r.id)))) {
        let list = items.get(it.order_id);
        if (!list) items.set(it.order_id, (list = []));
        list.push(it);
      }
    }
    const inv = this.inventoryMap();
    return { total, orders: rows.map((r) => this.apiOrder(view, r, items.get(r.id) ?? [], inv)) };
  }

  history(view, id) {
    return this.q.historyOf.all(id).map((h) => this.apiHistory(view, h));
  }

  apiHistory(view, h) {
    return {
      id: h.id,
      order_id: h.order_id,
      lock_version: h.lock_version,
      from_status: h.from_status,
      to_status: h.to_status,
      actor: h.actor,
      actor_name: this.displayName(h.actor),
      at: h.at,
      notes: h.notes,
      fields: JSON.parse(h.fields),
      source: h.source,
    };
  }

  // --- changing ---------------------------------------------------------------------------

  // Applies one status change inside its own (IMMEDIATE) transaction, or as a savepoint of the
  // caller's. Returns
  //   {ok: true, order, history_entry, event, notificationId}
  //   {ok: false, kind: 'not_found', hidden?: true (it exists, outside the caller's stores)} | {ok: false, kind: 'conflict', order}
  //   {ok: false, kind: 'refused', errors, order}
  // `notification`: {kind: 'single'} or {kind: 'batch', id: existing batch id or null}.
  // `visible(row)`: whether the caller may see this order; one it may not see is answered
  // exactly as a missing one, before the engine is asked (no status, stock or existence leaks).
  apply(view, { id, to, fields, actor, username, lockVersion, source, notification = { kind: 'single' }, visible = () => true }) {
    const run = () => {
      const cur = this.get(view, id);
      // `hidden` is for the admin-only audit trail (app.js, jobs.js), never for the answer.
      if (!cur || !visible(cur.row)) return { ok: false, kind: 'not_found', ...(cur ? { hidden: true } : {}) };
      if (lockVersion !== undefined && lockVersion !== null && cur.row.lock_version !== lockVersion) {
        return { ok: false, kind: 'conflict', order: cur.order };
      }
      const verdict = view.wf.check(cur.engine, to, fields, actor);
      if (!verdict || !verdict.ok) {
        return { ok: false, kind: 'refused', errors: verdict?.errors ?? [], order: cur.order };
      }
      const short = this.stockShortage(cur.row, cur.order.items, view.stockOf(cur.row.status), view.stockOf(to));
      if (short) return { ok: false, kind: 'refused', errors: [short], order: cur.order };
      const now = new Date().toISOString();
      const from = cur.order.status;  // the stored value read as a current status
      const tracking = typeof fields.tracking_number === 'string' ? fields.tracking_number : null;
      const changed = this.q.update.run(to, now, username, tracking, id, cur.row.lock_version).changes;
      if (changed !== 1) throw new Error(`order ${id} changed under a write transaction`);
      const version = cur.row.lock_version + 1;
      this.moveStock(cur.row, cur.order.items, view.stockOf(cur.row.status), view.stockOf(to));
      const { notes, ...rest } = fields;
      const h = this.q.history.run(id, version, from, to, username, now,
        typeof notes === 'string' ? notes : null, JSON.stringify(rest), source);
      let notificationId = null;
      if (view.byId.get(to)?.notify) {
        notificationId = notification.kind === 'batch' && notification.id ? notification.id
          : Number(this.q.notification.run(notification.kind, now).lastInsertRowid);
        this.q.notificationItem.run(notificationId, id, version, to);
      }
      if (this.failOrderIds.has(id)) throw new Error(`injected failure for order ${id} (ORDERFLOW_TEST_FAIL_ORDER_IDS)`);
      const after = this.get(view, id);
      return {
        ok: true,
        order: after.order,
        history_entry: this.apiHistory(view, this.q.historyRow.get(h.lastInsertRowid)),
        event: { id, workflow: view.id, status: to, lock_version: version, updated_by: username, updated_by_name: this.displayName(username), source },
        notificationId,
      };
    };
    const tx = this.db.transaction(run);
    return this.db.inTransaction ? tx() : tx.immediate();
  }

  // Inventory change per SKU when an order's items go from one stock state of a status to
  // another ("none", "reserved", "consumed"; the statuses' `stock` in the workflow document).
  static stockDeltas(items, fromStock, toStock) {
    const out = new Map();
    if (fromStock === toStock) return out;
    for (const it of items) {
      const d = out.get(it.sku) ?? { onHand: 0, reserved: 0 };
      if (fromStock === 'reserved') d.reserved -= it.quantity;
      if (fromStock === 'consumed') d.onHand += it.quantity;
      if (toStock === 'reserved') d.reserved += it.quantity;
      if (toStock === 'consumed') d.onHand -= it.quantity;
      out.set(it.sku, d);
    }
    return out;
  }

  // A store's stock is shared by every workflow: a move that would reserve or take more than is
  // on hand is refused (whether or not the workflow's own rules looked at stock). Answers the
  // refusal as an error {code: 'insufficient_stock', field: sku, message}, or null.
  stockShortage(row, items, fromStock, toStock) {
    for (const [sku, d] of OrderStore.stockDeltas(items, fromStock, toStock)) {
      // Only a move that takes from what is free can fall short: releasing, or consuming what
      // this order had reserved, never does (even where older data is already over-reserved).
      const need = d.reserved - d.onHand;
      if (need <= 0) continue;
      const inv = this.q.inv.get(row.store_id, sku) ?? { on_hand: 0, reserved: 0 };
      if (inv.on_hand - inv.reserved < need) {
        return { code: 'insufficient_stock', field: sku,
          message: `Not enough ${sku} at store ${row.store_id}: ${need} needed, ${Math.max(0, inv.on_hand - inv.reserved)} available (${inv.on_hand} on hand, ${inv.reserved} reserved for other orders)` };
      }
    }
    return null;
  }

  moveStock(row, items, fromStock, toStock) {
    for (const [sku, d] of OrderStore.stockDeltas(items, fromStock, toStock)) this.q.invUpsert.run(row.store_id, sku, d.onHand, d.reserved);
  }
}
