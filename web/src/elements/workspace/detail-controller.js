// The order detail view: opening an order (the list's copy at once, then the server's), its
// history (null: the API keeps none, the timeline says so), editing state, and following a live
// change of the open order unless it is being edited.
import { newer } from './live-controller.js';
export class DetailController {
  constructor(host) {
    this.host = host;
    this.opener = null;
    host.addController(this);
  }

  hostConnected() {}

  async open(id, opener = null) {
    const h = this.host;
    this.opener = opener;
    const cached = h.state.orders.find((o) => o.id === id) ?? null;
    h.set({ detail: { order: cached, history: [], loading: !cached, historyLoading: true, editing: false, busy: false, problem: null } });
    try {
      const order = await h.api.getOrder(id);
      if (h.state.detail) h.set({ detail: { ...h.state.detail, order, loading: false } });
    } catch (err) {
      h.alert('error', h.i18n.t('couldNotLoadOrder', { id, message: h.problem(err).message }));
      if (h.state.detail) h.set({ detail: { ...h.state.detail, loading: false } });
    }
    this.loadHistory(id);
  }

  async loadHistory(id) {
    const h = this.host;
    try {
      const history = await h.api.history(id);
      if (h.state.detail?.order?.id === id || h.state.detail?.loading)
        h.set({ detail: { ...h.state.detail, history, historyLoading: false } });
    } catch (err) {
      if (h.state.detail) h.set({ detail: { ...h.state.detail, historyLoading: false } });
      h.alert('error', h.i18n.t('couldNotLoadHistory', { id, message: h.problem(err).message }));
    }
  }

  edit(editing) {
    if (!editing) this.host.changes?.dropRetry('detail'); // null: no change was made yet
    this.host.set({ detail: { ...this.host.state.detail, editing, problem: null } });
  }

  /** Back to the list: a change the form failed to send is abandoned; focus on the order's link. */
  close() {
    this.host.changes?.dropRetry('detail');
    this.host.set({ detail: null });
    const o = this.opener;
    this.opener = null;
    if (o) this.host.focusRow(o);
  }

  /** A live change of order `d.id`: re-read the open order unless the user is editing or saving it. */
  remote(d) {
    const h = this.host;
    const det = h.state.detail;
    if (det?.order?.id === d.id && !det.editing && !det.busy && newer(d, det.order)) {
      h.api
        .getOrder(d.id)
        .then((o) => {
          if (h.state.detail?.order?.id === d.id && !h.state.detail.editing) {
            h.set({ detail: { ...h.state.detail, order: o } });
            this.loadHistory(d.id);
          }
        })
        .catch(() => {});
    }
  }
}
