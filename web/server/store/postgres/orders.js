// Orders, their items, history rows, inventory, stores, the customer-notification outbox rows a
// change writes, and meta (PostgreSQL). Same methods and answers as store/sqlite/orders.js.
//
// Locking (what makes a change all-or-nothing across instances): inside a transaction
// (`locking`), orders.get and inventory.of take row locks (SELECT ... FOR UPDATE) held until
// COMMIT. A status change reads its order first, then that order's inventory rows sorted by SKU,
// so two changes wait for each other instead of both deciding on the same old row, and two
// single changes can never deadlock (every transaction takes inventory locks in one order). The
// rarer cycles (a bulk holding several orders) are deadlocks PostgreSQL detects; the store
// retries those transactions (index.js).
//
// Fewer statements: a locking orders.get also locks and reads that order's inventory rows in the
// same statement, and keeps them in the transaction's `locked` cache; inventory.of answers from it
// when it holds every SKU asked for (a status change asks for them twice before writing), and any
// inventory.adjust empties it. Rows locked by this transaction cannot change under it, so the
// cache answers what the database would.
import { statement } from './pool.js';

const ORDER_COLUMNS = `o.id, o.workflow, o.status, o.store_id, o.lock_version, o.payment_status, o.customer_name, o.total,
  o.tracking_number, o.created_at, o.updated_at, o.updated_by`;
// One order's items in the same round trip as the order (the SQLite store reads them separately:
// there a query costs no round trip). Pages of orders read their items with a second query
// instead (withItems): one index scan for the page costs PostgreSQL a fraction of one subquery per
// order (about 1 ms instead of 11 for 2,000 orders).
const ITEMS = `COALESCE((SELECT json_agg(json_build_object('sku', i.sku, 'name', i.name, 'quantity', i.quantity) ORDER BY i.id)
  FROM order_items i WHERE i.order_id = o.id), '[]'::json) AS items`;

// The order's inventory rows in SKU order (locked: FOR UPDATE).
const inventoryOf = (
  lock,
) => `(SELECT COALESCE(json_agg(json_build_object('store_id', v.store_id, 'sku', v.sku, 'on_hand', v.on_hand, 'reserved', v.reserved)), '[]'::json)
       FROM (SELECT store_id, sku, on_hand, reserved FROM inventory
             WHERE store_id = o.store_id AND sku IN (SELECT sku FROM order_items WHERE order_id = o.id)
             ORDER BY sku${lock ? ' FOR UPDATE' : ''}) v) AS inventory`;

const S = {
  order: statement(`SELECT ${ORDER_COLUMNS}, ${ITEMS} FROM orders o WHERE o.id = $1`),
  orderWithStock: statement(`SELECT ${ORDER_COLUMNS}, ${ITEMS}, ${inventoryOf(false)} FROM orders o WHERE o.id = $1`),
  // The order first (the CTE locks it), then its inventory rows in SKU order: the lock order of
  // every change.
  orderLocked: statement(`WITH locked AS MATERIALIZED (SELECT * FROM orders WHERE id = $1 FOR UPDATE)
    SELECT ${ORDER_COLUMNS}, ${ITEMS}, ${inventoryOf(true)} FROM locked o`),
  ordersIn: statement(`SELECT ${ORDER_COLUMNS} FROM orders o WHERE o.id = ANY($1::bigint[])`),
  itemsOf: statement('SELECT order_id, sku, name, quantity FROM order_items WHERE order_id = ANY($1::bigint[]) ORDER BY order_id, id'),
  update: statement(`UPDATE orders SET status = $1, lock_version = lock_version + 1, updated_at = $2, updated_by = $3,
                     tracking_number = COALESCE($4, tracking_number) WHERE id = $5 AND lock_version = $6`),
  historyInsert: statement(`INSERT INTO history (order_id, lock_version, from_status, to_status, actor, at, notes, fields, source)
                            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`),
  historyOf: statement('SELECT * FROM history WHERE order_id = $1 ORDER BY lock_version, id'),
  invAll: statement('SELECT store_id, sku, on_hand, reserved FROM inventory'),
  invOf: statement('SELECT store_id, sku, on_hand, reserved FROM inventory WHERE store_id = $1 AND sku = ANY($2::text[]) ORDER BY sku'),
  invOfLocked: statement(
    'SELECT store_id, sku, on_hand, reserved FROM inventory WHERE store_id = $1 AND sku = ANY($2::text[]) ORDER BY sku FOR UPDATE',
  ),
  invAdjust: statement(`INSERT INTO inventory (store_id, sku, on_hand, reserved) VALUES ($1, $2, $3, $4)
                        ON CONFLICT (store_id, sku) DO UPDATE SET on_hand = inventory.on_hand + excluded.on_hand,
                        reserved = inventory.reserved + excluded.reserved`),
  stores: statement('SELECT id, name FROM stores ORDER BY id'),
  notification: statement('INSERT INTO notifications (kind, created_at) VALUES ($1, $2) RETURNING id'),
  // A notification and its first item in one round trip (a single change's: most changes notify).
  notificationWithItem: statement(`WITH n AS (INSERT INTO notifications (kind, created_at) VALUES ($1, $2) RETURNING id)
    INSERT INTO notification_items (notification_id, order_id, lock_version, status) SELECT id, $3, $4, $5 FROM n
    RETURNING notification_id AS id`),
  notificationItem: statement('INSERT INTO notification_items (notification_id, order_id, lock_version, status) VALUES ($1, $2, $3, $4)'),
  notificationExists: statement('SELECT 1 AS one FROM notifications WHERE id = $1'),
  metaGet: statement('SELECT value FROM meta WHERE key = $1'),
  metaSet: statement('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
};

// Ids as the SQLite store takes them: anything that is not a safe integer matches no row (here it
// would be a type error from PostgreSQL instead).
export const isId = (id) => Number.isSafeInteger(id);

const invKey = (storeId, sku) => `${storeId}\u0000${sku}`;

// locked: the transaction's {rows: Map(key -> level)} of inventory rows it holds locked (index.js), or null.
export function ordersRepo(x, { locking = false, locked = null } = {}) {
  // Order rows -> the same rows with `items` (in insertion order), from one query for all of them.
  const withItems = async (rows) => {
    if (rows.length === 0) return rows;
    const items = new Map(rows.map((r) => [r.id, []]));
    for (const it of await x.all(S.itemsOf, [rows.map((r) => r.id)])) {
      items.get(it.order_id)?.push({ sku: it.sku, name: it.name, quantity: it.quantity });
    }
    for (const r of rows) r.items = items.get(r.id);
    return rows;
  };
  // One round trip for both; in a transaction it locks the order, then its inventory rows.
  const getWithStock = async (id) => {
    if (!isId(id)) return null;
    const found = await x.get(locking ? S.orderLocked : S.orderWithStock, [id]);
    if (!found) return null;
    const { inventory, ...row } = found;
    // Only rows that exist are kept: a missing one is not locked (another transaction may
    // create it), so asking for it goes to the database.
    if (locking && locked) for (const level of inventory) locked.rows.set(invKey(level.store_id, level.sku), level);
    return { row, stock: inventory };
  };
  return {
    async get(id) {
      if (!isId(id)) return null;
      if (!locking) return x.get(S.order, [id]);
      return (await getWithStock(id))?.row ?? null;
    },
    getWithStock,

    async getMany(ids) {
      const wanted = ids.filter(isId);
      return wanted.length ? withItems(await x.all(S.ordersIn, [wanted])) : [];
    },

    async list({ workflow, stores, storeId, statuses, limit, offset }) {
      const where = ['o.workflow = $1'];
      const args = [workflow];
      if (stores !== 'all') {
        args.push(stores);
        where.push(`o.store_id = ANY($${args.length}::text[])`);
      }
      if (storeId) {
        args.push(storeId);
        where.push(`o.store_id = $${args.length}`);
      }
      if (statuses) {
        args.push(statuses);
        where.push(`o.status = ANY($${args.length}::text[])`);
      }
      const w = where.join(' AND ');
      // A few shapes only (which filters are present): named, so each is planned once per connection.
      const shape = `${stores !== 'all' ? 's' : ''}${storeId ? 'i' : ''}${statuses ? 't' : ''}`;
      const count = { name: `orders_count_${shape}`, text: `SELECT COUNT(*) AS n FROM orders o WHERE ${w}` };
      const page = {
        name: `orders_page_${shape}`,
        text: `SELECT ${ORDER_COLUMNS} FROM orders o WHERE ${w} ORDER BY o.id LIMIT $${args.length + 1} OFFSET $${args.length + 2}`,
      };
      const total = (await x.get(count, args)).n;
      const orders = await withItems(await x.all(page, [...args, limit, offset]));
      return { total, orders };
    },

    async setStatus({ id, expectedVersion, status, at, by, trackingNumber }) {
      return (await x.run(S.update, [status, at, by, trackingNumber ?? null, id, expectedVersion])) === 1;
    },
  };
}

export function historyRepo(x) {
  const parsed = (h) => ({ ...h, fields: JSON.parse(h.fields) });
  return {
    async append({ orderId, lockVersion, from, to, actor, at, notes, fields, source }) {
      return parsed(
        await x.get(S.historyInsert, [orderId, lockVersion, from, to, actor, at, notes ?? null, JSON.stringify(fields ?? {}), source]),
      );
    },
    async of(orderId) {
      return isId(orderId) ? (await x.all(S.historyOf, [orderId])).map(parsed) : [];
    },
  };
}

export function inventoryRepo(x, { locking = false, locked = null } = {}) {
  return {
    all() {
      return x.all(S.invAll);
    },
    async of(storeId, skus) {
      if (!locking) return x.all(S.invOf, [storeId, skus]);
      if (locked && skus.every((sku) => locked.rows.has(invKey(storeId, sku)))) {
        return [...new Set(skus)].sort().map((sku) => ({ ...locked.rows.get(invKey(storeId, sku)) }));
      }
      const rows = await x.all(S.invOfLocked, [storeId, skus]);
      if (locked) for (const r of rows) locked.rows.set(invKey(r.store_id, r.sku), r);
      return rows;
    },
    async adjust(storeId, sku, onHand, reserved) {
      if (locked) locked.rows.clear();
      await x.run(S.invAdjust, [storeId, sku, onHand, reserved]);
    },
  };
}

export function storesRepo(x) {
  return {
    list() {
      return x.all(S.stores);
    },
  };
}

export function notificationsRepo(x) {
  return {
    async create(kind, at, item = null) {
      if (!item) return (await x.get(S.notification, [kind, at])).id;
      return (await x.get(S.notificationWithItem, [kind, at, item.orderId, item.lockVersion, item.status])).id;
    },
    async addItem(notificationId, orderId, lockVersion, status) {
      await x.run(S.notificationItem, [notificationId, orderId, lockVersion, status]);
    },
    async exists(id) {
      return isId(id) && (await x.get(S.notificationExists, [id])) !== null;
    },
  };
}

export function metaRepo(x) {
  return {
    async get(key) {
      return (await x.get(S.metaGet, [key]))?.value ?? null;
    },
    async set(key, value) {
      await x.run(S.metaSet, [key, String(value)]);
    },
  };
}

// Demo data in one go: every table filled by one INSERT ... SELECT FROM unnest(arrays) per
// table and chunk, not one round trip per row (thousands of orders load in well under a second).
// Call inside a transaction.
export async function loadSeed(x, { stores, users, inventory, orders }) {
  const cols = (rows, fns) => fns.map((f) => rows.map(f));
  const chunks = (rows, n = 5000) => Array.from({ length: Math.ceil(rows.length / n) }, (_, i) => rows.slice(i * n, (i + 1) * n));
  const insert = async (table, columns, types, rows, fns) => {
    for (const part of chunks(rows)) {
      if (!part.length) continue;
      const sel = types.map((t, i) => `$${i + 1}::${t}[]`).join(', ');
      await x.run(`INSERT INTO ${table} (${columns.join(', ')}) SELECT * FROM unnest(${sel})`, cols(part, fns));
    }
  };
  await insert('stores', ['id', 'name'], ['text', 'text'], stores, [(s) => s.id, (s) => s.name]);
  await insert('users', ['username', 'display_name', 'password_hash', 'roles', 'stores'], ['text', 'text', 'text', 'text', 'text'], users, [
    (u) => u.username,
    (u) => u.display_name,
    (u) => u.password_hash,
    (u) => JSON.stringify(u.roles),
    (u) => JSON.stringify(u.stores),
  ]);
  await insert('inventory', ['store_id', 'sku', 'on_hand', 'reserved'], ['text', 'text', 'int', 'int'], inventory, [
    (i) => i.store_id,
    (i) => i.sku,
    (i) => i.on_hand,
    (i) => i.reserved,
  ]);
  await insert(
    'orders',
    [
      'id',
      'workflow',
      'status',
      'store_id',
      'lock_version',
      'payment_status',
      'customer_name',
      'total',
      'tracking_number',
      'created_at',
      'updated_at',
      'updated_by',
    ],
    ['bigint', 'text', 'text', 'text', 'int', 'text', 'text', 'float8', 'text', 'text', 'text', 'text'],
    orders,
    [
      (o) => o.id,
      (o) => o.workflow,
      (o) => o.status,
      (o) => o.store_id,
      (o) => o.lock_version,
      (o) => o.payment_status ?? null,
      (o) => o.customer_name,
      (o) => o.total,
      (o) => o.tracking_number ?? null,
      (o) => o.created_at,
      (o) => o.updated_at,
      (o) => o.updated_by ?? null,
    ],
  );
  // Items and history keep the order given (their identity ids follow it, as SQLite's rowids do).
  const items = orders.flatMap((o) => o.items.map((it) => ({ ...it, order_id: o.id })));
  await insert('order_items', ['order_id', 'sku', 'name', 'quantity'], ['bigint', 'text', 'text', 'int'], items, [
    (i) => i.order_id,
    (i) => i.sku,
    (i) => i.name,
    (i) => i.quantity,
  ]);
  const history = orders.flatMap((o) => o.history.map((h) => ({ ...h, order_id: o.id })));
  await insert(
    'history',
    ['order_id', 'lock_version', 'from_status', 'to_status', 'actor', 'at', 'notes', 'fields', 'source'],
    ['bigint', 'int', 'text', 'text', 'text', 'text', 'text', 'text', 'text'],
    history,
    [
      (h) => h.order_id,
      (h) => h.lock_version,
      (h) => h.from_status ?? null,
      (h) => h.to_status,
      (h) => h.actor,
      (h) => h.at,
      (h) => h.notes ?? null,
      (h) => JSON.stringify(h.fields ?? {}),
      (h) => h.source,
    ],
  );
}
