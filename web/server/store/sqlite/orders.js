// Orders, their items, history rows, inventory, stores and the customer-notification outbox rows a
// change writes (SQLite). Data only: what a change may do is decided by the engine, asked by
// services/status-change.js inside the transaction that calls these.

const SELECT_ORDER = `SELECT id, workflow, status, store_id, lock_version, payment_status, customer_name, total,
  tracking_number, created_at, updated_at, updated_by FROM orders`;

// An order row from the raw rows of orderWithStock (one per item, or one with sku null).
function orderOf(rows) {
  const r = rows[0];
  return {
    id: r[0],
    workflow: r[1],
    status: r[2],
    store_id: r[3],
    lock_version: r[4],
    payment_status: r[5],
    customer_name: r[6],
    total: r[7],
    tracking_number: r[8],
    created_at: r[9],
    updated_at: r[10],
    updated_by: r[11],
    items: r[12] === null ? [] : rows.map((x) => ({ sku: x[12], name: x[13], quantity: x[14] })),
  };
}

export function ordersRepo(db) {
  const q = {
    // One statement for an order, its items and each item's stock level at the order's store (one
    // row per item; an order without items: one row, sku null; null levels where no inventory row):
    // a status change reads both, and one statement costs less than two (about 4 µs of ~110).
    // Rows as arrays (raw): better-sqlite3 builds row objects property by property.
    orderWithStock: db
      .prepare(
        `SELECT o.id, o.workflow, o.status, o.store_id, o.lock_version, o.payment_status, o.customer_name, o.total,
         o.tracking_number, o.created_at, o.updated_at, o.updated_by, i.sku, i.name, i.quantity, v.on_hand, v.reserved
         FROM orders o LEFT JOIN order_items i ON i.order_id = o.id
         LEFT JOIN inventory v ON v.store_id = o.store_id AND v.sku = i.sku WHERE o.id = ? ORDER BY i.id`,
      )
      .raw(true),
    itemsOf: db.prepare(`SELECT order_id, sku, name, quantity FROM order_items
                         WHERE order_id IN (SELECT value FROM json_each(?)) ORDER BY order_id, id`),
    ordersIn: db.prepare(`${SELECT_ORDER} WHERE id IN (SELECT value FROM json_each(?))`),
    update: db.prepare(`UPDATE orders SET status = ?, lock_version = lock_version + 1, updated_at = ?, updated_by = ?,
                        tracking_number = COALESCE(?, tracking_number) WHERE id = ? AND lock_version = ?`),
  };
  const statements = new Map(); // SQL text -> prepared statement (a few shapes of list query)
  const prepared = (sql) => {
    let st = statements.get(sql);
    if (!st) statements.set(sql, (st = db.prepare(sql)));
    return st;
  };
  const withItems = (rows) => {
    if (rows.length === 0) return rows;
    const items = new Map(rows.map((r) => [r.id, []]));
    for (const it of q.itemsOf.all(JSON.stringify(rows.map((r) => r.id)))) {
      items.get(it.order_id)?.push({ sku: it.sku, name: it.name, quantity: it.quantity });
    }
    for (const r of rows) r.items = items.get(r.id);
    return rows;
  };

  return {
    get(id) {
      const rows = q.orderWithStock.all(id);
      return rows.length ? orderOf(rows) : null;
    },

    getWithStock(id) {
      const rows = q.orderWithStock.all(id);
      if (rows.length === 0) return null;
      const row = orderOf(rows);
      const stock = new Map();
      for (const r of rows) if (r[15] !== null) stock.set(r[12], { store_id: row.store_id, sku: r[12], on_hand: r[15], reserved: r[16] });
      return { row, stock: [...stock.values()] };
    },

    getMany(ids) {
      return withItems(q.ordersIn.all(JSON.stringify(ids)));
    },

    list({ workflow, stores, storeId, statuses, limit, offset }) {
      const where = ['workflow = ?'];
      const args = [workflow];
      if (stores !== 'all') {
        where.push('store_id IN (SELECT value FROM json_each(?))');
        args.push(JSON.stringify(stores));
      }
      if (storeId) {
        where.push('store_id = ?');
        args.push(storeId);
      }
      if (statuses) {
        where.push('status IN (SELECT value FROM json_each(?))');
        args.push(JSON.stringify(statuses));
      }
      const w = where.join(' AND ');
      const total = prepared(`SELECT COUNT(*) AS n FROM orders WHERE ${w}`).get(...args).n;
      const rows = prepared(`${SELECT_ORDER} WHERE ${w} ORDER BY id LIMIT ? OFFSET ?`).all(...args, limit, offset);
      return { total, orders: withItems(rows) };
    },

    setStatus({ id, expectedVersion, status, at, by, trackingNumber }) {
      return q.update.run(status, at, by, trackingNumber ?? null, id, expectedVersion).changes === 1;
    },
  };
}

export function historyRepo(db) {
  const q = {
    insert: db.prepare(`INSERT INTO history (order_id, lock_version, from_status, to_status, actor, at, notes, fields, source)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    of: db.prepare('SELECT * FROM history WHERE order_id = ? ORDER BY lock_version, id'),
  };
  const parsed = (h) => ({ ...h, fields: JSON.parse(h.fields) });
  return {
    // The row as stored (every column is given here; no RETURNING: cheaper to build it than to read it back).
    append({ orderId, lockVersion, from, to, actor, at, notes, fields, source }) {
      const text = JSON.stringify(fields ?? {});
      const { lastInsertRowid } = q.insert.run(orderId, lockVersion, from, to, actor, at, notes ?? null, text, source);
      return {
        id: Number(lastInsertRowid),
        order_id: orderId,
        lock_version: lockVersion,
        from_status: from,
        to_status: to,
        actor,
        at,
        notes: notes ?? null,
        fields: JSON.parse(text),
        source,
      };
    },
    of(orderId) {
      return q.of.all(orderId).map(parsed);
    },
  };
}

export function inventoryRepo(db) {
  const q = {
    all: db.prepare('SELECT store_id, sku, on_hand, reserved FROM inventory'),
    of: db.prepare(`SELECT store_id, sku, on_hand, reserved FROM inventory
                    WHERE store_id = ? AND sku IN (SELECT value FROM json_each(?))`),
    // An order's few SKUs: a plain IN list (prepared once per length) costs less than json_each.
    ofFew: [1, 2, 3, 4].map((n) =>
      db.prepare(`SELECT store_id, sku, on_hand, reserved FROM inventory
                    WHERE store_id = ? AND sku IN (${Array(n).fill('?').join(', ')})`),
    ),
    adjust: db.prepare(`INSERT INTO inventory (store_id, sku, on_hand, reserved) VALUES (?, ?, ?, ?)
                        ON CONFLICT (store_id, sku) DO UPDATE SET on_hand = on_hand + excluded.on_hand,
                        reserved = reserved + excluded.reserved`),
  };
  return {
    all() {
      return q.all.all();
    },
    of(storeId, skus) {
      if (skus.length >= 1 && skus.length <= q.ofFew.length) return q.ofFew[skus.length - 1].all(storeId, ...skus);
      return q.of.all(storeId, JSON.stringify(skus));
    },
    adjust(storeId, sku, onHand, reserved) {
      q.adjust.run(storeId, sku, onHand, reserved);
    },
  };
}

export function storesRepo(db) {
  const list = db.prepare('SELECT id, name FROM stores ORDER BY id');
  return {
    list() {
      return list.all();
    },
  };
}

// The outbox rows of a change: one notification per single change or per bulk request, one item
// per changed order (the dispatcher turns them into deliveries, see deliveries.js).
export function notificationsRepo(db) {
  const q = {
    create: db.prepare('INSERT INTO notifications (kind, created_at) VALUES (?, ?)'),
    item: db.prepare('INSERT INTO notification_items (notification_id, order_id, lock_version, status) VALUES (?, ?, ?, ?)'),
    exists: db.prepare('SELECT 1 FROM notifications WHERE id = ?'),
  };
  return {
    create(kind, at, item = null) {
      const id = Number(q.create.run(kind, at).lastInsertRowid);
      if (item) q.item.run(id, item.orderId, item.lockVersion, item.status);
      return id;
    },
    addItem(notificationId, orderId, lockVersion, status) {
      q.item.run(notificationId, orderId, lockVersion, status);
    },
    exists(id) {
      return q.exists.get(id) !== undefined;
    },
  };
}

export function metaRepo(db) {
  const get = db.prepare('SELECT value FROM meta WHERE key = ?');
  const set = db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
  return {
    get(key) {
      return get.get(key)?.value ?? null;
    },
    set(key, value) {
      set.run(key, String(value));
    },
  };
}

// Demo data in one go (seed.js computes it through the engine): stores, users, inventory, orders
// with items and history. Call inside a transaction.
export function seedRepo(db) {
  const q = {
    store: db.prepare('INSERT INTO stores (id, name) VALUES (?, ?)'),
    user: db.prepare('INSERT INTO users (username, display_name, password_hash, roles, stores) VALUES (?, ?, ?, ?, ?)'),
    order: db.prepare(`INSERT INTO orders (id, workflow, status, store_id, lock_version, payment_status, customer_name, total,
                       tracking_number, created_at, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    item: db.prepare('INSERT INTO order_items (order_id, sku, name, quantity) VALUES (?, ?, ?, ?)'),
    inventory: db.prepare('INSERT INTO inventory (store_id, sku, on_hand, reserved) VALUES (?, ?, ?, ?)'),
    history: db.prepare(`INSERT INTO history (order_id, lock_version, from_status, to_status, actor, at, notes, fields, source)
                         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
  };
  return {
    load({ stores, users, inventory, orders }) {
      for (const s of stores) q.store.run(s.id, s.name);
      for (const u of users) q.user.run(u.username, u.display_name, u.password_hash, JSON.stringify(u.roles), JSON.stringify(u.stores));
      for (const i of inventory) q.inventory.run(i.store_id, i.sku, i.on_hand, i.reserved);
      for (const o of orders) {
        q.order.run(
          o.id,
          o.workflow,
          o.status,
          o.store_id,
          o.lock_version,
          o.payment_status,
          o.customer_name,
          o.total,
          o.tracking_number ?? null,
          o.created_at,
          o.updated_at,
          o.updated_by ?? null,
        );
        for (const it of o.items) q.item.run(o.id, it.sku, it.name, it.quantity);
        for (const h of o.history)
          q.history.run(
            o.id,
            h.lock_version,
            h.from_status,
            h.to_status,
            h.actor,
            h.at,
            h.notes ?? null,
            JSON.stringify(h.fields ?? {}),
            h.source,
          );
      }
    },
  };
}
