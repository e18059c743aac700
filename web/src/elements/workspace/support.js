// Small helpers of of-order-workspace kept apart so the workspace file stays about wiring.

/**
 * Where a row event came from: the order and which of its controls (`data-ctl`) and row
 * position, so focus can go back there (or to the row now in its place) when a dialog closes.
 */
export function openerOf(e, orderId) {
  let ctl = null;
  let index = 0;
  for (const n of e.composedPath()) {
    if (!(n instanceof Element)) continue;
    if (!ctl && n.dataset?.ctl) ctl = n.dataset.ctl;
    if (n.matches('tr[data-order-id]')) {
      index = Number(n.getAttribute('aria-rowindex')) - 2;
      break;
    }
  }
  return { orderId, ctl: ctl ?? 'open', index };
}

/**
 * Whether sending a failed bulk result again could succeed. An engine refusal (the server's
 * result carries the engine's error codes: a final status, a permission, a guard) gives the same
 * verdict again for the same order, so only failures without one are retried: the network, a
 * server error, a missing answer, a concurrent change. A skipped order was refused by the engine
 * before sending.
 */
export function retryable(r) {
  if (r.ok || r.skipped || r.kind === 'job') return false; // a server job may still apply it
  if ((r.errors ?? []).length) return false;
  if (r.kind === 'network' || r.kind === 'server' || r.kind === 'rate_limited' || r.kind === 'conflict') return true;
  return !r.status || r.status >= 500 || r.status === 409 || r.status === 429;
}
