// The order routes both dialects share (list, one order, history, allowed statuses, change, bulk),
// parameterized by a dialect (routes/cms.js, routes/delivery.js), which owns its paths and the
// exact bodies of its answers. The checks run in the order the API has always answered them: who
// may call (401/403), the id, then the body (415/413/400), then the engine.
import { WorkflowView } from '../services/orders.js';
import { fail, badRequest } from '../http/errors.js';
import { parseId, MAX_BODY_BYTES } from '../http/body.js';
import { fieldsTooCostly, extraCost, bulkBodyLimit } from '../limits.js';
import { runBulk, MAX_BULK } from '../services/bulk.js';
import * as S from './schemas.js';
import { cmsChange } from './cms.js';

const MAX_PER_PAGE = 5000;

// The sentences for "no such order" and "not allowed" come with the workflow (messages.order_not_found,
// messages.not_authorized): the delivery quick reference's words.
export const NOT_FOUND = (view) => view.wf.document.messages.order_not_found;
export const NOT_AUTHORIZED = (view) => view.wf.document.messages.not_authorized;

// status + change fields from a validated body: `fields` object plus `notes` (and `tracking_number`).
export function changeInput(ctx, body, { lockRequired }) {
  const fields = { ...(body.fields ?? {}) };
  for (const k of ['notes', 'tracking_number']) {
    if (body[k] === undefined || body[k] === null) continue;
    if (k in fields) throw badRequest(ctx, `${k} is given both at the top level and in fields`);
    fields[k] = body[k];
  }
  const tooCostly = fieldsTooCostly(fields); // bounded before the engine runs
  if (tooCostly) throw badRequest(ctx, tooCostly);
  if ((body.lock_version === undefined || body.lock_version === null) && lockRequired) {
    throw badRequest(ctx, "lock_version is required (the order's lock_version as you last read it)");
  }
  return { to: body.status, fields, lockVersion: body.lock_version ?? undefined };
}

// Staff read this (the delivery dialect's body has no other words): who, in plain words, and no
// field names; when and what the order is now travel beside it (changed_at, the order).
export function conflictMessage(order) {
  return `This order was changed by ${order.updated_by ?? 'someone else'} since you loaded it: reload it and try again.`;
}

// dialect: {name, view, base ('/api/v1/orders' | '/api/orders'), changePath, changeKeys, lockRequired,
//   answers: {list, one, history, allowed, change(view, r)}, tag}
// deps: app.js's (store, reader, changes, requireUser, syncMutation, asyncMutation, define, extras, ...)
export function orderRoutes(dialect, deps) {
  const { view, base } = dialect;
  const { reader, changes, requireUser, syncMutation, asyncMutation, define, extras, storeRows, config, publish, failure, rateLimit } =
    deps;
  const storeIds = storeRows.map((s) => s.id);
  const dialectError = dialect.name === 'cms' ? S.cmsError : S.deliveryError;
  const errors = (...codes) => Object.fromEntries(codes.map((c) => [c, dialectError]));

  // The user's stores in this workflow; no role there at all is a 403 (it says nothing about
  // any order). Orders outside these stores are answered exactly as missing ones.
  function storesOrThrow(ctx, user) {
    const stores = view.visibleStores(user);
    if (!stores)
      throw fail(
        ctx.dialect,
        403,
        'forbidden',
        ctx.dialect === 'delivery' ? NOT_AUTHORIZED(view) : `Your account has no role in the ${view.id} workflow`,
      );
    return stores;
  }

  // Who may call, before anything else is read: the user, the role, the id.
  function caller(ctx, { withId = true } = {}) {
    const user = requireUser(ctx);
    const stores = storesOrThrow(ctx, user);
    let id = null;
    if (withId) {
      id = parseId(ctx.params.id);
      if (id === null) throw badRequest(ctx, S.idMessage('Order id')(ctx));
    }
    ctx.caller = { user, stores, id };
    return ctx.caller;
  }

  async function loadVisible(ctx) {
    const { user, stores, id } = ctx.caller ?? caller(ctx);
    const cur = await reader.get(view, id);
    if (!cur || !WorkflowView.canSee(stores, cur.row.store_id)) throw fail(ctx.dialect, 404, 'not_found', NOT_FOUND(view));
    return { user, cur };
  }

  const idRoute = {
    schema: { params: S.idParam },
    messages: { params: { id: S.idMessage('Order id') } },
    before: (ctx) => {
      caller(ctx);
    },
  };
  const security = [{ bearer: [] }, { cookie: [] }];

  // --- list --------------------------------------------------------------------------------
  define({
    method: 'GET',
    url: base,
    before: (ctx) => {
      requireUser(ctx);
    },
    schema: {
      summary: `List ${view.id} orders`,
      tags: [dialect.tag],
      security,
      querystring: {
        type: 'object',
        additionalProperties: true,
        properties: {
          store_id: { type: 'string', description: `one of ${storeIds.join(', ')}` },
          status: { type: 'string', description: 'a current status id or a legacy value' },
          page: { ...S.positiveText, description: 'from 1' },
          per_page: { ...S.positiveText, description: `at most ${MAX_PER_PAGE}, default 50` },
        },
      },
      response: { 200: dialect.schemas.list, ...errors(400, 401, 403, 429) },
    },
    messages: { querystring: { page: 'page must be a positive integer', per_page: 'per_page must be a positive integer' } },
    handler: async (ctx) => {
      const user = requireUser(ctx);
      const sp = ctx.url.searchParams;
      const storeId = sp.get('store_id') || null;
      if (storeId && !storeIds.includes(storeId))
        throw badRequest(ctx, `Unknown store_id "${storeId.slice(0, 40)}" (stores: ${storeIds.join(', ')})`);
      const stores = storesOrThrow(ctx, user);
      // A store filter the user may not see is a 403 (stores are public, /api/stores).
      if (storeId && !WorkflowView.canSee(stores, storeId)) {
        throw fail(
          ctx.dialect,
          403,
          'forbidden',
          ctx.dialect === 'delivery' ? NOT_AUTHORIZED(view) : `Your account may not see orders of store ${storeId}`,
        );
      }
      const status = statusFilter(ctx, sp.get('status'));
      const num = (name, def, max) => {
        const v = sp.get(name);
        if (v === null || v === '') return def;
        const n = parseId(v);
        if (n === null) throw badRequest(ctx, `${name} must be a positive integer`);
        if (max && n > max) throw badRequest(ctx, `${name} must be at most ${max}`);
        return n;
      };
      const page = num('page', 1);
      const perPage = num('per_page', 50, MAX_PER_PAGE);
      const { total, orders } = await reader.list(view, { stores, storeId, status, page, perPage });
      ctx.charge(extraCost.rows(orders.length));
      return { status: 200, body: dialect.answers.list(orders, page, perPage, total) };
    },
  });

  function statusFilter(ctx, s) {
    if (s === null || s === '') return null;
    const r = view.wf.normalize(s);
    if (!r || !r.ok) throw dialect.unknownStatusFilter(ctx, r?.error?.message ?? `Unknown status "${s}"`);
    return r.status;
  }

  // --- one order, history, allowed statuses -------------------------------------------------
  define({
    method: 'GET',
    url: `${base}/:id`,
    ...idRoute,
    schema: {
      ...idRoute.schema,
      summary: `One ${view.id} order`,
      tags: [dialect.tag],
      security,
      response: { 200: dialect.schemas.one, ...errors(400, 401, 403, 404, 429) },
    },
    handler: async (ctx) => ({ status: 200, body: dialect.answers.one((await loadVisible(ctx)).cur.order) }),
  });

  define({
    method: 'GET',
    url: `${base}/:id/history`,
    ...idRoute,
    schema: {
      ...idRoute.schema,
      summary: `The history of a ${view.id} order, oldest first`,
      tags: [dialect.tag],
      security,
      response: { 200: dialect.schemas.history, ...errors(400, 401, 403, 404, 429) },
    },
    handler: async (ctx) => {
      const { cur } = await loadVisible(ctx);
      const history = await extras.annotateHistory(await reader.history(view, cur.row.id), cur.row.id);
      return { status: 200, body: dialect.answers.history(history) };
    },
  });

  define({
    method: 'GET',
    url: `${base}/:id/allowed_statuses`,
    ...idRoute,
    schema: {
      ...idRoute.schema,
      summary: "What the caller may change the order to (the engine's `allowed`)",
      tags: [dialect.tag],
      security,
      response: { 200: dialect.schemas.allowed, ...errors(400, 401, 403, 404, 429) },
    },
    handler: async (ctx) => {
      const { user, cur } = await loadVisible(ctx);
      return { status: 200, body: dialect.answers.allowed(cur.order.status, view.wf.allowed(cur.engine, view.actor(user))) };
    },
  });

  // --- change ------------------------------------------------------------------------------
  define({
    method: 'PUT',
    url: dialect.changePath,
    ...idRoute,
    mutation: true,
    schema: {
      ...idRoute.schema,
      summary: `Change a ${view.id} order's status (the engine decides)`,
      tags: [dialect.tag],
      security,
      headers: idempotencyHeaders,
      body: S.changeBody(dialect.changeKeys, dialect.lockRequired ? ['status', 'lock_version'] : ['status']),
      response: { 200: dialect.schemas.change, ...errors(400, 401, 403, 404, 409, 413, 415, 422, 429, 503, 507) },
    },
    messages: { ...idRoute.messages, body: S.changeMessages, headers: idempotencyMessages },
    handler: async (ctx, body) => {
      const { user, stores, id } = ctx.caller;
      const input = changeInput(ctx, body, { lockRequired: dialect.lockRequired });
      const visible = (row) => WorkflowView.canSee(stores, row.store_id);
      return syncMutation(ctx, user.username, async (tx) => {
        const r = await changes.apply(
          view,
          { id, ...input, actor: view.actor(user), username: user.username, source: sourceOf(ctx), visible },
          tx,
        );
        if (r.hidden) ctx.outOfScope = new Set([id]); // for the audit trail only: the answer is a missing order's
        return dialect.answers.change(view, r);
      });
    },
  });

  // --- bulk --------------------------------------------------------------------------------
  // A bulk of up to the job maximum must fit (limits.js: bulkBodyLimit); 64 KB everywhere else.
  define({
    method: 'POST',
    url: `${base}/bulk_update`,
    mutation: true,
    bodyLimit: bulkBodyLimit(MAX_BODY_BYTES, extras.jobMaxOrders),
    before: (ctx) => {
      caller(ctx, { withId: false });
    },
    schema: {
      summary: `Change many ${view.id} orders (above ${Math.min(extras.jobThreshold, MAX_BULK)} ids: a background job, 202)`,
      tags: [dialect.tag],
      security,
      headers: idempotencyHeaders,
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['order_ids', 'status'],
        properties: { order_ids: S.orderIds, status: S.changeProps.status, notes: S.changeProps.notes, fields: S.changeProps.fields },
      },
      response: { 200: bulkAnswer, 202: jobAccepted, ...errors(400, 401, 403, 413, 415, 422, 429, 503, 507) },
    },
    messages: { body: { ...S.changeMessages, order_ids: S.orderIdsMessage }, headers: idempotencyMessages },
    handler: async (ctx, body) => {
      const { user, stores } = ctx.caller;
      const ids = body.order_ids;
      // Above the threshold the bulk runs as a background job (202 + job id).
      if (ids.length > Math.min(extras.jobThreshold, MAX_BULK))
        return extras.submitBulk(ctx, view, user, body, { changeInput, syncMutation });
      const dup = ids.filter((x, i) => ids.indexOf(x) !== i);
      if (dup.length) throw badRequest(ctx, `order_ids holds duplicates: ${[...new Set(dup)].slice(0, 10).join(', ')}`);
      const input = changeInput(ctx, body, { lockRequired: false });
      rateLimit(ctx, extraCost.ids(ids.length));
      const visible = (row) => WorkflowView.canSee(stores, row.store_id);
      return asyncMutation(ctx, user.username, async () => {
        const out = await runBulk({
          reader,
          changes,
          view,
          user,
          ids,
          input,
          visible,
          chunk: config.bulkChunk,
          pauseMs: config.bulkPauseMs,
          publish,
          failure,
          refusal: (id, r) => bulkFailure(view, id, r),
          outOfScope: (id) => {
            (ctx.outOfScope ??= new Set()).add(id);
          },
        }); // for the audit trail only
        await extras.closeBatch(out.notificationId); // the batch is complete, the dispatcher may send it
        return {
          status: 200,
          body: {
            results: out.results,
            succeeded: out.succeeded,
            failed: out.results.length - out.succeeded,
            ...(out.notificationId ? { notification_id: out.notificationId } : {}),
          },
        };
      });
    },
  });
}

// A per-order refusal inside a bulk answer (both dialects: the cms error shape).
export function bulkFailure(view, id, r) {
  const resp = cmsChange(view, r);
  return { id, ok: false, status: resp.status, error: resp.body.error, ...(resp.body.errors ? { errors: resp.body.errors } : {}) };
}

export function sourceOf(ctx) {
  const s = ctx.req.headers['x-orderflow-source'];
  return s === 'ui' ? 'ui' : 'api';
}

export const idempotencyHeaders = {
  type: 'object',
  properties: {
    'idempotency-key': {
      type: 'string',
      minLength: 1,
      maxLength: 255,
      description: 'a replay with the same key answers the first answer again',
    },
    'x-orderflow-source': { type: 'string', description: '"ui" marks the UI\'s requests (audit trail)' },
  },
};
export const idempotencyMessages = { 'idempotency-key': 'Idempotency-Key must be 1 to 255 characters' };

const bulkAnswer = {
  type: 'object',
  additionalProperties: true,
  properties: {
    results: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: true,
        properties: {
          id: { type: 'integer' },
          ok: { type: 'boolean' },
          status: { type: 'integer' },
          order: S.order,
          error: { type: 'object' },
          errors: { type: 'array', items: S.engineError },
        },
      },
    },
    succeeded: { type: 'integer' },
    failed: { type: 'integer' },
    notification_id: { type: 'integer' },
  },
};
const jobAccepted = {
  type: 'object',
  additionalProperties: true,
  properties: {
    success: { const: true },
    job_id: { type: 'string' },
    job: { type: 'object', additionalProperties: true },
    status_url: { type: 'string' },
  },
};
