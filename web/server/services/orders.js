// Orders as the API and the engine read them: the store's rows (store/) shaped per workflow, with
// legacy stored statuses read through the engine and each item's in_stock from the inventory.
// Changes go through services/status-change.js.

// Helpers that read a loaded workflow (the module's object) without knowing any status name.
// `errorCodes`: the engine's table of its own codes (flow.errorCodes).
export class WorkflowView {
  constructor(wf, id, errorCodes) {
    this.wf = wf;
    this.id = id ?? wf.id;
    // The engine's permission refusals (its table of codes): a change refused only for these is a 403.
    this.permissionCodes = new Set(errorCodes.filter((c) => c.permission).map((c) => c.code));
    this.statuses = wf.statuses;
    this.statusIds = wf.statuses.map((s) => s.id);
    this.byId = new Map(wf.statuses.map((s) => [s.id, s]));
    this.normalized = new Map();
    this.storedValues = null;
    this.visible = new Map(); // visibleStores' answers by role and stores
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

  // Only permission problems (the 403 case); anything else is a refusal on the merits (422).
  permissionOnly(errors) {
    return errors.length > 0 && errors.every((e) => this.permissionCodes.has(e.code));
  }

  // The workflow document's definition of a role, or null.
  roleDef(role) {
    if (!role) return null;
    return this.wf.document.roles.find((r) => r.id === role) ?? null;
  }

  // Stores whose orders this user may see: 'all', an array, or null (no role in this workflow).
  // The engine answers from the role's scope; store ids come back as text, and a role the
  // workflow does not define sees no store.
  visibleStores(user) {
    if (!user.roles?.[this.id]) return null;
    const actor = this.actor(user);
    // Every request asks this once (who may see what) and the engine call costs about 25 µs (5% of
    // a PUT's CPU), while the answer depends only on the role and the user's stores in this fixed
    // workflow: remembered per (role, stores). The answers are deep-frozen, so sharing them is safe.
    const key = `${actor.role}\n${JSON.stringify(actor.stores)}`;
    let answer = this.visible.get(key);
    if (answer === undefined) {
      const scope = this.wf.visibleStores(actor);
      answer = scope.all ? 'all' : scope.stores;
      if (this.visible.size >= 1000) this.visible.clear(); // bounded: role x store sets are few
      this.visible.set(key, answer);
    }
    return answer;
  }

  actor(user) {
    return { role: user.roles?.[this.id] ?? null, stores: user.stores ?? [] };
  }

  // Whether `stores` (an answer of visibleStores: 'all', an array, or null) holds store `storeId`:
  // the engine's answer for one user, looked up for many rows (one engine call per user, not per
  // row; wf.canSee answers the same for a single store).
  static canSee(stores, storeId) {
    return stores === 'all' || (!!stores && stores.includes(storeId));
  }
}

export class OrderReader {
  constructor(store) {
    this.store = store;
    this.names = new Map(); // username -> display name (or null), read once: names do not change while running
  }

  // Reads the display names of these usernames that are not known yet (db: the store or a tx).
  async loadNames(db, usernames) {
    for (const u of usernames) {
      if (u && !this.names.has(u)) this.names.set(u, (await db.users.get(u))?.display_name ?? null);
    }
  }

  // The person's name for a username, for staff to read beside "changed by" (null if unknown).
  // Call loadNames first.
  displayName(username) {
    if (!username) return null;
    return this.names.get(username) ?? null;
  }

  // API shape of an order row (with its items). `inv` maps "store\0sku" to {on_hand, reserved}.
  apiOrder(view, row, inv) {
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
      items: row.items.map((it) => {
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

  static inventoryMap(rows) {
    const m = new Map();
    for (const r of rows) m.set(`${r.store_id}\u0000${r.sku}`, r);
    return m;
  }

  // One order with its items: {row, order (API), engine, inv (its SKUs' stock levels)}, or null (also when it belongs to another
  // workflow). db: the store, or the transaction to read in.
  async get(view, id, db = this.store) {
    const found = await db.orders.getWithStock(id);
    if (!found || found.row.workflow !== view.id) return null;
    const { row } = found;
    const inv = OrderReader.inventoryMap(found.stock);
    await this.loadNames(db, [row.updated_by]);
    const order = this.apiOrder(view, row, inv);
    return { row, order, engine: OrderReader.engineOrder(row, order), inv };
  }

  // Several orders by id (missing or other-workflow ids are absent from the map).
  async getMany(view, ids, db = this.store) {
    const rows = (await db.orders.getMany(ids)).filter((r) => r.workflow === view.id);
    const inv = OrderReader.inventoryMap(await db.inventory.all());
    await this.loadNames(
      db,
      rows.map((r) => r.updated_by),
    );
    const out = new Map();
    for (const row of rows) {
      const order = this.apiOrder(view, row, inv);
      out.set(row.id, { row, order, engine: OrderReader.engineOrder(row, order) });
    }
    return out;
  }

  // Paged list. stores: 'all' or an array. status: a current status id (matched through aliases).
  async list(view, { stores, storeId, status, page, perPage }) {
    const { total, orders } = await this.store.orders.list({
      workflow: view.id,
      stores,
      storeId: storeId ?? null,
      statuses: status ? view.storedAs(status) : null,
      limit: perPage,
      offset: (page - 1) * perPage,
    });
    const inv = OrderReader.inventoryMap(await this.store.inventory.all());
    await this.loadNames(
      this.store,
      orders.map((r) => r.updated_by),
    );
    return { total, orders: orders.map((r) => this.apiOrder(view, r, inv)) };
  }

  async history(view, id) {
    const rows = await this.store.history.of(id);
    await this.loadNames(
      this.store,
      rows.map((h) => h.actor),
    );
    return rows.map((h) => this.apiHistory(view, h));
  }

  // API shape of a history row (fields already parsed by the store). Call loadNames first.
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
      fields: h.fields,
      source: h.source,
    };
  }
}
