// The workspace's list of orders: loading a page (with the page's prefetched first answer),
// replacing changed rows in place, the busy set and the selection. A Lit reactive controller:
// it keeps its data in the host's state (`host.state`, `host.set`).
export class OrdersController {
  constructor(host) {
    this.host = host;
    this.seq = 0;
    host.addController(this);
  }

  hostConnected() {}

  async load() {
    const h = this.host;
    const seq = ++this.seq;
    const s = h.state;
    h.set({ loading: true });
    try {
      const query = { ...s.filters, page: s.page, per_page: h.perPage };
      const pre = h.prefetched;
      h.prefetched = null;
      const r = await (pre && (pre.api === h.api || pre.api === h.api.raw) && JSON.stringify(pre.query) === JSON.stringify(query)
        ? pre.promise
        : h.api.listOrders(query));
      if (seq !== this.seq) return;
      const ids = new Set(r.orders.map((o) => o.id));
      const selected = new Set([...h.state.selected].filter((id) => ids.has(id)));
      h.set({ orders: r.orders, total: r.total, loading: false, selected });
      h.fire('of-loaded', { count: r.orders.length, total: r.total });
    } catch (err) {
      if (seq !== this.seq) return;
      h.set({ loading: false });
      const p = h.problem(err, { onRetry: true });
      h.retryOnline = () => {
        h.retryOnline = null;
        this.load();
      };
      h.alert('error', h.i18n.t('couldNotLoad', { message: p.message }), {
        actions: [{ id: 'retry-load', label: h.i18n.t('retry') }],
        key: 'load',
      });
    }
  }

  /** Puts changed orders in place of their rows (same position), and in the detail view unless it is being edited. */
  replace(...changed) {
    const h = this.host;
    const byId = new Map(changed.map((o) => [o.id, o]));
    let next = null;
    h.state.orders.forEach((o, i) => {
      const c = byId.get(o.id);
      if (c) {
        next ??= h.state.orders.slice();
        next[i] = c;
      }
    });
    if (next) h.set({ orders: next });
    const d = h.state.detail;
    const mine = d?.order && byId.get(d.order.id);
    if (mine && !d.editing) h.set({ detail: { ...d, order: mine } });
  }

  /** An order that is gone (deleted, or no longer visible to this user) leaves the page. */
  remove(id) {
    const h = this.host;
    const orders = h.state.orders.filter((o) => o.id !== id);
    if (orders.length === h.state.orders.length) return;
    const selected = new Set(h.state.selected);
    selected.delete(id);
    h.set({ orders, selected, total: Math.max(0, h.state.total - 1) });
  }

  busy(id, on) {
    const b = new Set(this.host.state.busyIds);
    if (on) b.add(id);
    else b.delete(id);
    this.host.set({ busyIds: b });
  }

  select({ ids, selected }) {
    const sel = new Set(this.host.state.selected);
    for (const id of ids)
      if (selected) sel.add(id);
      else sel.delete(id);
    this.host.set({ selected: sel });
  }

  page({ page, perPage }) {
    this.host.perPage = perPage;
    this.host.set({ page });
    this.load();
  }

  filter(filters) {
    this.host.set({ filters, page: 1 });
    this.load();
  }
}
