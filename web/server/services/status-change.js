// Applying one status change: ONE store transaction that re-reads the order, asks the engine
// (`wf.check`), and writes status, lock_version, history, inventory moves and the customer
// notification together, or nothing. Used by PUT (both dialects), bulk updates (synchronous and
// jobs) and the POS webhook. The side effects come from the statuses' `stock` and `notify`
// attributes in the workflow; the store holds data only.

export class StatusChange {
  // failOrderIds: test hook (ORDERFLOW_TEST_FAIL_ORDER_IDS): a change of these orders throws after writing.
  constructor({ store, reader, failOrderIds = new Set() }) {
    this.store = store;
    this.reader = reader;
    this.failOrderIds = failOrderIds;
  }

  // Applies one change in its own transaction, or inside the caller's `tx` (an exception then
  // rolls back the caller's whole transaction: every caller lets it, none catches it inside). Returns
  //   {ok: true, order, history_entry, event, notificationId}
  //   {ok: false, kind: 'not_found', hidden?: true (it exists, outside the caller's stores)} | {ok: false, kind: 'conflict', order}
  //   {ok: false, kind: 'refused', errors, order}
  // `notification`: {kind: 'single'} or {kind: 'batch', id: existing batch id or null}.
  // `visible(row)`: whether the caller may see this order; one it may not see is answered
  // exactly as a missing one, before the engine is asked (no status, stock or existence leaks).
  apply(view, input, tx = null) {
    return tx ? this.applyIn(tx, view, input) : this.store.transaction((t) => this.applyIn(t, view, input));
  }

  async applyIn(
    tx,
    view,
    { id, to, fields, actor, username, lockVersion, source, notification = { kind: 'single' }, visible = () => true },
  ) {
    const cur = await this.reader.get(view, id, tx);
    // `hidden` is for the admin-only audit trail (http/audit hook, jobs), never for the answer.
    if (!cur || !visible(cur.row)) return { ok: false, kind: 'not_found', ...(cur ? { hidden: true } : {}) };
    if (lockVersion !== undefined && lockVersion !== null && cur.row.lock_version !== lockVersion) {
      return { ok: false, kind: 'conflict', order: cur.order };
    }
    const verdict = view.wf.check(cur.engine, to, fields, actor);
    if (!verdict || !verdict.ok) {
      return { ok: false, kind: 'refused', errors: verdict?.errors ?? [], order: cur.order };
    }
    const fromStock = view.stockOf(cur.row.status);
    const toStock = view.stockOf(to);
    const deltas = StatusChange.stockDeltas(cur.row.items, fromStock, toStock);
    const short = StatusChange.stockShortage(cur.row, cur.inv, deltas);
    if (short) return { ok: false, kind: 'refused', errors: [short], order: cur.order };
    const now = new Date().toISOString();
    const from = cur.order.status; // the stored value read as a current status
    const tracking = typeof fields.tracking_number === 'string' ? fields.tracking_number : null;
    const changed = await tx.orders.setStatus({
      id,
      expectedVersion: cur.row.lock_version,
      status: to,
      at: now,
      by: username,
      trackingNumber: tracking,
    });
    if (!changed) throw new Error(`order ${id} changed under a write transaction`);
    const version = cur.row.lock_version + 1;
    for (const [sku, d] of deltas) await tx.inventory.adjust(cur.row.store_id, sku, d.onHand, d.reserved);
    const { notes, ...rest } = fields;
    const h = await tx.history.append({
      orderId: id,
      lockVersion: version,
      from,
      to,
      actor: username,
      at: now,
      notes: typeof notes === 'string' ? notes : null,
      fields: rest,
      source,
    });
    let notificationId = null;
    if (view.byId.get(to)?.notify) {
      if (notification.kind === 'batch' && notification.id) {
        notificationId = notification.id;
        await tx.notifications.addItem(notificationId, id, version, to);
      } else {
        notificationId = await tx.notifications.create(notification.kind, now, { orderId: id, lockVersion: version, status: to });
      }
    }
    if (this.failOrderIds.has(id)) throw new Error(`injected failure for order ${id} (ORDERFLOW_TEST_FAIL_ORDER_IDS)`);
    // The order as it now is, from what was read and written in this transaction (no second read).
    const afterRow = {
      ...cur.row,
      status: to,
      lock_version: version,
      updated_at: now,
      updated_by: username,
      tracking_number: tracking ?? cur.row.tracking_number,
    };
    const afterInv = new Map(cur.inv);
    for (const [sku, d] of deltas) {
      const k = `${cur.row.store_id}\u0000${sku}`;
      const level = afterInv.get(k) ?? { on_hand: 0, reserved: 0 };
      afterInv.set(k, { ...level, on_hand: level.on_hand + d.onHand, reserved: level.reserved + d.reserved });
    }
    await this.reader.loadNames(tx, [username]);
    return {
      ok: true,
      order: this.reader.apiOrder(view, afterRow, afterInv),
      history_entry: this.reader.apiHistory(view, h),
      event: {
        id,
        workflow: view.id,
        status: to,
        lock_version: version,
        updated_by: username,
        updated_by_name: this.reader.displayName(username),
        source,
      },
      notificationId,
    };
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
  // inv: the stock levels of the order's SKUs, read in this transaction.
  static stockShortage(row, inv, deltas) {
    // Only a move that takes from what is free can fall short: releasing, or consuming what
    // this order had reserved, never does (even where older data is already over-reserved).
    const needs = [...deltas].map(([sku, d]) => [sku, d.reserved - d.onHand]).filter(([, need]) => need > 0);
    for (const [sku, need] of needs) {
      const level = inv.get(`${row.store_id}\u0000${sku}`) ?? { on_hand: 0, reserved: 0 };
      if (level.on_hand - level.reserved < need) {
        return {
          code: 'insufficient_stock',
          field: sku,
          message: `Not enough ${sku} at store ${row.store_id}: ${need} needed, ${Math.max(0, level.on_hand - level.reserved)} available (${level.on_hand} on hand, ${level.reserved} reserved for other orders)`,
        };
      }
    }
    return null;
  }
}
