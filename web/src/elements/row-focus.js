// Keeps keyboard focus on the order it belongs to when a list re-renders under the user (a
// filter answer, a live update, a page of rows arriving): Lit's keyed `repeat` keeps each row's
// nodes with its order, but moving a node in the DOM drops focus, so the focused control is
// remembered before the update and focused again after it. Also used to bring focus back to the
// control that opened a dialog.
export class RowFocus {
  constructor(host) {
    this.host = host;
    this.saved = null;
    host.addController(this);
  }

  hostUpdate() {
    // before the DOM changes
    const root = this.host.renderRoot;
    const a = root?.activeElement;
    const tr = a?.closest?.('tr[data-order-id]');
    this.saved =
      tr && a.dataset.ctl
        ? { el: a, id: tr.dataset.orderId, ctl: a.dataset.ctl, index: Number(tr.getAttribute('aria-rowindex')) - 2 }
        : null;
  }

  hostUpdated() {
    const s = this.saved;
    this.saved = null;
    if (!s) return;
    const root = this.host.renderRoot;
    if (root.activeElement === s.el && s.el.closest('tr')?.dataset.orderId === s.id) return;
    // still listed but scrolled out of the rendered rows: the user scrolled away, leave it
    const listed = (this.host.orders ?? []).some((o) => String(o.id) === s.id);
    if (listed && !root.querySelector(`tr[data-order-id="${CSS.escape(s.id)}"]`)) return;
    this.focus(s.id, s.ctl, s.index);
  }

  /**
   * Focuses control `ctl` of order `id`. When the order left the list: the same control of the
   * row now in its place (else the last row). When that control is disabled (a final status, a
   * row being saved): another control of the same row, then its "Open order" link.
   */
  focus(id, ctl, index = 0) {
    const root = this.host.renderRoot;
    let tr = root.querySelector(`tr[data-order-id="${CSS.escape(String(id))}"]`);
    if (!tr) {
      const rows = [...root.querySelectorAll('tr[data-order-id]')];
      if (!rows.length) return this.#try(root.querySelector('select'));
      tr = rows.find((r) => Number(r.getAttribute('aria-rowindex')) - 2 >= index) ?? rows[rows.length - 1];
    }
    return (
      this.#try(tr.querySelector(`[data-ctl="${ctl}"]`)) ||
      this.#try(tr.querySelector('[data-ctl="status"]')) ||
      this.#try(tr.querySelector('[data-ctl^="action-"]')) ||
      this.#try(tr.querySelector('[data-ctl="open"]'))
    );
  }

  #try(el) {
    if (!el) return false;
    el.focus({ preventScroll: false });
    return this.host.renderRoot.activeElement === el;
  }
}
