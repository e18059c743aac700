// A synchronous bulk status change: each order is its own transaction (services/status-change.js);
// verdicts come from one planBulk per chunk; the event loop is given back between chunks. One
// batched notification for the whole request. Orders the user may not see are left out before the
// engine is asked: their results are the same as a missing id's.
export const MAX_BULK = 500;

// refusal(id, r): the per-order answer of a refused change (the dialect's); failure(err, message):
// a storage failure's answer; outOfScope(id): told of every order outside the user's stores.
export async function runBulk({
  reader,
  changes,
  view,
  user,
  ids,
  input: { to, fields },
  visible,
  chunk,
  pauseMs,
  publish,
  failure,
  refusal,
  outOfScope,
}) {
  const actor = view.actor(user);
  const notification = { kind: 'batch', id: null };
  const results = [];
  let succeeded = 0;
  for (let start = 0; start < ids.length; start += chunk) {
    if (start > 0) {
      await new Promise((r) => setImmediate(r));
      if (pauseMs) await new Promise((r) => setTimeout(r, pauseMs));
    }
    const part = ids.slice(start, start + chunk);
    const found = await reader.getMany(view, part);
    for (const [id, o] of found) {
      if (visible(o.row)) continue;
      found.delete(id);
      outOfScope(id);
    }
    const plan = view.wf.planBulk(
      [...found.values()].map((o) => o.engine),
      to,
      fields,
      actor,
    );
    const blocked = new Map(plan.blocked.map((b) => [Number(b.id), b.errors]));
    for (const id of part) {
      if (!found.has(id)) {
        results.push(refusal(id, { ok: false, kind: 'not_found' }));
        continue;
      }
      if (blocked.has(id)) {
        results.push(refusal(id, { ok: false, kind: 'refused', errors: blocked.get(id) }));
        continue;
      }
      let r;
      try {
        r = await changes.apply(view, { id, to, fields, actor, username: user.username, source: 'bulk', notification, visible });
      } catch (e) {
        const f = failure(e, 'Internal error; nothing was changed for this order');
        results.push({ id, ok: false, status: f.status, error: { code: f.code, message: f.message } });
        continue;
      }
      if (r.ok) {
        if (r.notificationId) notification.id = r.notificationId;
        succeeded += 1;
        results.push({ id, ok: true, order: r.order });
        publish({ ...r.event, store_id: r.order.store_id });
      } else {
        if (r.hidden) outOfScope(id);
        results.push(refusal(id, r));
      }
    }
  }
  return { results, succeeded, notificationId: notification.id };
}
