// Live updates from the server's event stream (`eventsUrl`): changes arriving within 30 ms are
// applied together, a row only moves forward (a higher lock_version) and never while it is being
// saved, and the open detail view re-reads its order.
export class LiveController {
  constructor(host) {
    this.host = host;
    this.es = null;
    this.incoming = null;
    this.flush = null;
    host.addController(this);
  }

  hostConnected() { this.subscribe(); }

  hostDisconnected() {
    this.es?.close();
    this.es = null;
  }

  subscribe() {
    this.es?.close();
    this.es = null;
    const url = this.host.eventsUrl;
    if (!url || typeof EventSource === 'undefined') return;
    const es = new EventSource(url, { withCredentials: true });
    es.addEventListener('order', (ev) => {
      let d;
      try { d = JSON.parse(ev.data); } catch { return; }
      this.receive(d);
    });
    this.es = es;
  }

  /** One event `{id, workflow, status, lock_version, updated_by, updated_by_name?}`. */
  receive(d) {
    const h = this.host;
    if (!h.api || (d.workflow && d.workflow !== h.api.workflowId)) return;
    (this.incoming ??= new Map()).set(d.id, d);
    this.flush ??= setTimeout(() => {
      const batch = this.incoming;
      this.incoming = null;
      this.flush = null;
      for (const e of batch.values()) h.details.remote(e);
      const rows = [];
      for (const o of h.state.orders) {
        const e = batch.get(o.id);
        if (e && !h.state.busyIds.has(o.id) && (e.lock_version ?? 0) > (o.lock_version ?? 0)) {
          rows.push({ ...o, status: e.status, lock_version: e.lock_version, updated_by: e.updated_by ?? o.updated_by,
            updated_by_name: e.updated_by_name ?? (e.updated_by ? undefined : o.updated_by_name), updated_at: e.updated_at ?? o.updated_at });
        }
      }
      if (rows.length) h.orders.replace(...rows);
    }, 30);
  }
}
