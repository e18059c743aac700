// A mutation's transaction together with its Idempotency-Key: the first answer is stored with the
// change (same transaction), a replay answers it again without applying anything twice. Events
// are published after the commit.
import { createHash } from 'node:crypto';

export function createMutations({ store, idem, publish, fail }) {
  function idemKey(ctx) {
    const k = ctx.req.headers['idempotency-key'];
    if (k === undefined) return null;
    if (typeof k !== 'string' || k.length === 0 || k.length > 255)
      throw fail(ctx.dialect, 400, 'bad_request', 'Idempotency-Key must be 1 to 255 characters');
    return k;
  }

  function fingerprint(ctx) {
    return createHash('sha256')
      .update(`${ctx.req.method} ${ctx.path}\n`)
      .update(ctx.rawBody ?? '')
      .digest('hex');
  }

  function replay(ctx, prior, fp) {
    if (prior.fingerprint !== fp) {
      throw fail(ctx.dialect, 422, 'idempotency_key_reused', 'This Idempotency-Key was already used for a different request');
    }
    if (prior.status_code === null) {
      throw fail(
        ctx.dialect,
        409,
        'idempotency_in_progress',
        'A request with this Idempotency-Key is still being processed; retry later',
        {},
        { 'Retry-After': '1' },
      );
    }
    return { status: prior.status_code, body: JSON.parse(prior.body), headers: { 'Idempotent-Replayed': 'true' } };
  }

  // Another instance inserted the same key at the same moment (a unique-key conflict): its request
  // is still running, as far as this one can tell.
  const inProgress = (ctx) =>
    fail(
      ctx.dialect,
      409,
      'idempotency_in_progress',
      'A request with this Idempotency-Key is still being processed; retry later',
      {},
      { 'Retry-After': '1' },
    );

  // Runs `fn(tx)` in one store transaction together with its idempotency key.
  async function syncMutation(ctx, scope, fn) {
    const key = idemKey(ctx);
    const fp = key && fingerprint(ctx);
    let resp;
    try {
      resp = await store.transaction(async (tx) => {
        if (key) {
          const prior = await idem.get(tx, scope, key);
          if (prior) return replay(ctx, prior, fp);
        }
        const r = await fn(tx);
        if (key) await idem.put(tx, scope, key, fp, r.status, r.body);
        return r;
      });
    } catch (e) {
      if (key && store.classify(e) === 'conflict') throw inProgress(ctx);
      throw e;
    }
    for (const e of resp.events ?? []) publish(e);
    return resp;
  }

  // Runs a long (chunked, yielding) mutation; its key is held "in progress" until it answers.
  async function asyncMutation(ctx, scope, fn) {
    const key = idemKey(ctx);
    const fp = key && fingerprint(ctx);
    if (key) {
      let early;
      try {
        early = await store.transaction(async (tx) => {
          const prior = await idem.get(tx, scope, key);
          if (prior) return replay(ctx, prior, fp);
          await idem.put(tx, scope, key, fp, null, null);
          return null;
        });
      } catch (e) {
        if (store.classify(e) === 'conflict') throw inProgress(ctx);
        throw e;
      }
      if (early) return early;
    }
    let resp;
    try {
      resp = await fn();
    } catch (e) {
      if (key) await idem.drop(scope, key);
      throw e;
    }
    if (key) await idem.finish(scope, key, resp.status, resp.body);
    return resp;
  }

  return { syncMutation, asyncMutation };
}
