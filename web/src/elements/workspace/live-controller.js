// Live updates: the server's event stream (`eventsUrl`), else the adapter's `subscribe` (its own
// events, or withFallbacks' polling when the page sets poll-interval). Changes arriving within
// 30 ms are applied together, a row only moves forward (see `newer`) and never while it is being
// saved, and the open detail view re-reads its order.

/** Whether event `e` is a later state of order `o`: versions compared when both have one; a polled order without versions when its status moved. */
export function newer(e, o) {
  return e.lock_version != null && o.lock_version != null ? e.lock_version > o.lock_version : e.status !== o.status;
}

export class LiveController {
  constructor(host) {
    this.host = host;
    this.es = null;
    this.unsubscribe = null;
    this.incoming = null;
    this.flush = null;
    host.addController(this);
  }

  hostConnected() {
    this.subscribe();
  }

  hostDisconnected() {
    this.#stop();
  }

  #stop() {
    this.es?.close();
    this.es = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  subscribe() {
    this.#stop();
    const url = this.host.eventsUrl;
    const api = this.host.api;
    if (!url && api?.subscribe) {
      this.unsubscribe = api.subscribe((d) => this.receive(d));
      return;
    }
    if (!url || typeof EventSource === 'undefined') return;
    const es = new EventSource(url, { withCredentials: true });
    es.addEventListener('order', (ev) => {
      let d;
      try {
        d = JSON.parse(ev.data);
      } catch {
        return;
      }
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
      for (const e of batch.values()) h.details?.remote(e); // null: no order was ever opened
      const rows = [];
      for (const o of h.state.orders) {
        const e = batch.get(o.id);
        if (e && newer(e, o) && !h.state.busyIds.has(o.id)) {
          // a polled change carries the whole order as the list now gives it
          rows.push(
            e.order ?? {
              ...o,
              status: e.status,
              lock_version: e.lock_version,
              updated_by: e.updated_by ?? o.updated_by,
              updated_by_name: e.updated_by_name ?? (e.updated_by ? undefined : o.updated_by_name),
              updated_at: e.updated_at ?? o.updated_at,
            },
          );
        }
      }
      if (rows.length) h.orders.replace(...rows);
    }, 30);
  }
}
