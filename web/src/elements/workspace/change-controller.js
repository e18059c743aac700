// One status change: opening the confirmation, sending it (optimistic, rolled back on failure,
// one Idempotency-Key per attempt reused by Retry), 409 -> the dialog shows the order as it is,
// Refresh re-reads in place, and a retry belongs to its attempt: closing the dialog or form
// abandons it, so it is never sent later. Focus goes back to the control that opened the dialog.
// A success whose answer cannot be read is said so and the order re-read: never rolled back
// (the server may well have made the change).
import { newIdempotencyKey } from '../../api/http.js';
import { splitValues } from '../../rules.js';

export class ChangeController {
  constructor(host) {
    this.host = host;
    this.attempt = null; // {sig, key}: the Idempotency-Key of the attempt being retried
    this.pending = null; // {origin, id}: the failed attempt a retry belongs to
    this.manualRetry = null;
    this.conflict = null;
    this.opener = null;
    host.addController(this);
  }

  hostConnected() {}

  /** A row asked for a change (`opener`: where focus goes back, from openerOf). */
  select({ orderId, to, direct }, opener) {
    const h = this.host;
    const s = h.state;
    const order = s.orders.find((o) => o.id === orderId) ?? (s.detail?.order?.id === orderId ? s.detail.order : null);
    if (!order || s.busyIds.has(orderId)) return;
    const option = h.rules.allowed(order).find((o) => o.id === to);
    if (!option) return;
    // a row's button sends its event from the list element (of-order-list's #fire), so openerOf
    // found neither the button nor its row: name them here, or focus would go back to the row's
    // link (or the first row's) instead of the button now in its place
    if (direct && opener?.ctl === 'open') opener = { ...opener, ctl: `action-${to}`, index: Math.max(0, s.orders.indexOf(order)) };
    this.opener = opener;
    // one click moves on, unless the workflow asks to confirm, a field is required, the target is
    // a final status (no way back: the user is asked first) or the engine marks it blocked (the
    // dialog then shows why; the list never offers such a click, a page's own event might)
    if (direct && !option.blocked && !option.confirm && !(option.requires ?? []).length && !h.rules.status(to).terminal) {
      this.submit(order, to, {}, 'direct');
      return;
    }
    h.set({ confirm: { order: { ...order }, option, busy: false, problem: null } });
  }

  /** Closes the confirmation; a change it failed to send is abandoned with it (never sent later). */
  closeConfirm() {
    this.host.set({ confirm: null });
    this.dropRetry('confirm');
    this.returnFocus();
  }

  dropRetry(origin) {
    if (this.pending?.origin !== origin) return;
    this.pending = null;
    this.host.retryOnline = null;
    this.manualRetry = null;
    this.attempt = null;
  }

  /** Focus back on the control that opened the dialog, or its nearest neighbour if that row left. */
  async returnFocus(opener = this.opener) {
    this.opener = null;
    if (!opener) return;
    await this.host.focusRow(opener);
  }

  /**
   * Sends one status change. `origin` is where its problems are shown: 'confirm' (the dialog),
   * 'detail' (the form) or 'direct' (a page message).
   */
  async submit(order, to, values, origin) {
    const h = this.host;
    const list = h.orders;
    if (h.state.busyIds.has(order.id)) return; // no double submission
    const { notes, fields } = splitValues(values);
    const sig = JSON.stringify([order.id, order.lock_version, to, notes, fields]);
    if (this.attempt?.sig !== sig) this.attempt = { sig, key: newIdempotencyKey() };
    const key = this.attempt.key;
    const original = h.state.orders.find((o) => o.id === order.id) ?? order;
    list.busy(order.id, true);
    this.#setOrigin(origin, { busy: true, problem: null });
    list.replace({ ...original, status: to }); // optimistic: the row shows the new status meanwhile
    try {
      const r = await h.api.updateStatus(
        order.id,
        { status: to, notes, fields, lock_version: order.lock_version },
        { idempotencyKey: key },
      );
      this.attempt = null;
      h.retryOnline = null;
      list.busy(order.id, false);
      if (!r.order) {
        this.pending = null;
        this.reread(order, origin);
        return;
      }
      list.replace(r.order);
      const from = h.rules.status(order.status).label;
      const toS = h.rules.status(r.order.status);
      // Only what the API reported: a workflow's `notify` status says nothing about whether this
      // API (a foreign one, say) notifies anyone.
      const n = r.notification;
      const detail = n?.state ? h.i18n.t(`customerNotification.${n.state}`) : undefined;
      h.alert('success', h.i18n.t('updated', { id: order.id, from, to: toS.label }), { detail, key: `order-${order.id}` });
      this.pending = null;
      if (origin === 'confirm' && h.state.confirm?.order?.id === order.id) this.closeConfirm();
      if (origin === 'direct') this.returnFocus();
      if (origin === 'detail' || h.state.detail?.order?.id === order.id) {
        h.set({ detail: { ...h.state.detail, order: r.order, editing: false, busy: false, problem: null } });
        h.details?.loadHistory(order.id);
      }
    } catch (err) {
      list.busy(order.id, false);
      const found = err.kind === 'not_found' ? await this.#gone(order, origin) : null;
      if (found === 'gone') return;
      // roll back; after a 409 the row shows the order as it now is (after a 404, as re-read)
      list.replace(err.kind === 'conflict' && err.order ? err.order : (found ?? original));
      const retry = () => {
        h.retryOnline = null;
        this.submit(order, to, values, origin);
      };
      const p = h.problem(err, { onRetry: true, onRefresh: true, change: true });
      this.pending = { origin, id: order.id };
      h.retryOnline = err.kind === 'network' ? retry : null;
      this.manualRetry = retry;
      this.conflict = err.kind === 'conflict' ? { id: order.id, order: err.order, origin } : null;
      if (origin === 'direct') {
        h.alert(p.kind, h.i18n.t('orderProblem', { id: order.id, message: p.message }), {
          detail: p.detail,
          actions: p.actions,
          key: `order-${order.id}`,
        });
        this.returnFocus();
      } else if (origin === 'confirm' && err.kind === 'conflict' && err.order && h.state.confirm?.order?.id === order.id) {
        // the dialog now shows the order as it is and what may follow from there
        h.set({ confirm: { ...h.state.confirm, order: err.order, busy: false, problem: p } });
      } else {
        this.#setOrigin(origin, { busy: false, problem: p });
      }
    }
  }

  /**
   * The server answered "no such order": it was deleted, or (the reference server answers both
   * alike) it is no longer in the user's stores. Read it again to be sure the 404 was about the
   * order and not a missing endpoint; when it is gone, the row leaves the list and staff are told
   * in plain words (not "rolled back": there is nothing to roll back to). Resolves to 'gone', the
   * order as re-read (the 404 was about something else), or null when the re-read failed otherwise.
   */
  async #gone(order, origin) {
    const h = this.host;
    try {
      return (await h.api.getOrder(order.id)) ?? null;
    } catch (again) {
      if (again.kind !== 'not_found') return null;
    }
    this.dropRetry(origin);
    this.pending = null;
    h.orders.remove(order.id);
    const message = h.i18n.t('orderGone', { id: order.id });
    if (origin === 'detail' && h.state.detail?.order?.id === order.id) {
      h.set({ detail: { ...h.state.detail, busy: false, editing: false, problem: { kind: 'warning', message } } });
      return 'gone';
    }
    if (origin === 'confirm' && h.state.confirm?.order?.id === order.id) h.set({ confirm: null });
    h.alert('warning', message, { key: `order-${order.id}` });
    await this.returnFocus(); // to the row now in its place
    return 'gone';
  }

  /** The server said yes but its answer could not be read: say so and show what it now holds. */
  async reread(order, origin) {
    const h = this.host;
    if (origin === 'confirm' && h.state.confirm?.order?.id === order.id) this.closeConfirm();
    if (origin === 'direct') this.returnFocus();
    if (origin === 'detail' && h.state.detail) h.set({ detail: { ...h.state.detail, busy: false, editing: false } });
    let detail;
    try {
      const fresh = await h.api.reread(order.id);
      h.orders.replace(fresh);
      if (h.state.detail?.order?.id === order.id) {
        h.set({ detail: { ...h.state.detail, order: fresh } });
        h.details?.loadHistory(order.id);
      }
      detail = h.i18n.t('rereadNow', { status: h.rules.status(fresh.status).label });
    } catch (err) {
      detail = h.i18n.t('rereadFailed', { message: h.problem(err).message });
    }
    h.alert('warning', h.i18n.t('acceptedUnreadable', { id: order.id }), { detail, key: `order-${order.id}` });
  }

  #setOrigin(origin, patch) {
    const h = this.host;
    if (origin === 'confirm' && h.state.confirm) h.set({ confirm: { ...h.state.confirm, ...patch } });
    if (origin === 'detail' && h.state.detail) h.set({ detail: { ...h.state.detail, ...patch } });
  }

  async refresh(id, origin) {
    const h = this.host;
    try {
      const fresh = await h.api.getOrder(id);
      h.orders.replace(fresh);
      const who = fresh.updated_by_name ?? fresh.updated_by ?? '';
      if (origin === 'confirm' && h.state.confirm?.order?.id === id) {
        // re-read in place: the dialog stays, showing the current status and what may follow
        this.dropRetry('confirm');
        h.set({ confirm: { ...h.state.confirm, order: fresh, problem: null } });
        return;
      }
      if (h.state.detail?.order?.id === id) {
        h.set({ detail: { ...h.state.detail, order: fresh, problem: null, editing: false } });
        h.details?.loadHistory(id);
      }
      h.alert('info', h.i18n.t('refreshed', { id, status: h.rules.status(fresh.status).label, who }), { key: `order-${id}` });
    } catch (err) {
      h.alert('error', h.i18n.t('couldNotRefresh', { id, message: h.problem(err).message }), { key: `order-${id}` });
    }
  }

  /** `retry` / `refresh` from a problem shown in `origin`. */
  action(id, origin) {
    if (id === 'retry') this.manualRetry?.();
    if (id === 'refresh' && this.conflict) this.refresh(this.conflict.id, origin);
  }
}
