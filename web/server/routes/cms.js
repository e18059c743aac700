// The `cms` dialect (`/api/v1`): errors as {error: {code, message}, errors?, order?}. Mirrors the
// client's adapter web/src/api/cms.js. Also the POS webhook, the event stream and the workflow.
import { fail, badRequest } from '../http/errors.js';
import { parseId } from '../http/body.js';
import { safeEqual } from '../auth.js';
import { orderRoutes, changeInput, conflictMessage, NOT_FOUND, idempotencyHeaders, idempotencyMessages } from './orders.js';
import * as S from './schemas.js';

// A status-change result (services/status-change.js) as the cms dialect answers it; bulk results
// of both dialects use it too. `events` are published after the commit.
export function cmsChange(view, r) {
  if (r.ok)
    return { status: 200, body: { order: r.order, history_entry: r.history_entry }, events: [{ ...r.event, store_id: r.order.store_id }] };
  if (r.kind === 'not_found') return { status: 404, body: { error: { code: 'not_found', message: NOT_FOUND(view) } } };
  if (r.kind === 'conflict') {
    return {
      status: 409,
      body: {
        error: { code: 'conflict', message: conflictMessage(r.order), changed_by: r.order.updated_by, changed_at: r.order.updated_at },
        order: r.order,
      },
    };
  }
  const code = view.permissionOnly(r.errors) ? 'forbidden' : 'refused';
  return {
    status: code === 'forbidden' ? 403 : 422,
    body: { error: { code, message: r.errors[0]?.message ?? 'Refused' }, errors: r.errors },
  };
}

const tag = 'cms';
const schemas = {
  list: {
    type: 'object',
    properties: {
      orders: { type: 'array', items: S.order },
      page: { type: 'integer' },
      per_page: { type: 'integer' },
      total: { type: 'integer' },
    },
  },
  one: { type: 'object', properties: { order: S.order } },
  history: { type: 'object', properties: { history: { type: 'array', items: S.historyEntry } } },
  allowed: { type: 'object', properties: { current: { type: 'string' }, allowed: { type: 'array', items: S.option } } },
  change: { type: 'object', properties: { order: S.order, history_entry: S.historyEntry } },
};

export function cmsRoutes(deps) {
  const view = deps.views.cms;
  orderRoutes(
    {
      name: 'cms',
      tag,
      view,
      base: '/api/v1/orders',
      changePath: '/api/v1/orders/:id',
      changeKeys: ['status', 'notes', 'fields', 'lock_version'],
      lockRequired: true,
      schemas,
      unknownStatusFilter: (ctx, message) => badRequest(ctx, message),
      answers: {
        list: (orders, page, perPage, total) => ({ orders, page, per_page: perPage, total }),
        one: (order) => ({ order }),
        history: (history) => ({ history }),
        allowed: (current, allowed) => ({ current, allowed }),
        change: cmsChange,
      },
    },
    deps,
  );

  const { define, config, changes, syncMutation, storeRows, streams, requireUser, views } = deps;

  const posSecretShown = (request) => {
    const secret = request.headers['x-webhook-secret'];
    return safeEqual(typeof secret === 'string' ? secret : '', config.posSecret);
  };
  // The POS webhook: the same change as PUT, by actor {role: ORDERFLOW_POS_ROLE} with source "pos".
  define({
    method: 'POST',
    url: '/api/v1/webhooks/pos',
    webhook: posSecretShown, // only then is the 'pos' rate-limit bucket spent (http/guard.js)
    mutation: true,
    before: (ctx) => {
      if (!posSecretShown(ctx.request)) throw fail('cms', 401, 'unauthorized', 'Missing or wrong X-Webhook-Secret');
    },
    schema: {
      summary: 'A point-of-sale system changes an order (X-Webhook-Secret)',
      tags: [tag],
      headers: {
        type: 'object',
        required: ['x-webhook-secret'],
        properties: { 'x-webhook-secret': { type: 'string' }, ...idempotencyHeaders.properties },
      },
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['order_id', 'status'],
        properties: {
          order_id: { type: 'integer', minimum: 1, maximum: S.MAX_SAFE },
          ...S.changeBody(['status', 'notes', 'fields', 'lock_version']).properties,
        },
      },
      response: { 200: schemas.change, ...Object.fromEntries([400, 401, 404, 409, 413, 415, 422, 429].map((c) => [c, S.cmsError])) },
    },
    messages: { body: { ...S.changeMessages, order_id: 'order_id must be a positive integer' }, headers: idempotencyMessages },
    handler: async (ctx, body) => {
      const id = parseId(body.order_id);
      if (id === null) throw badRequest(ctx, 'order_id must be a positive integer');
      const input = changeInput(ctx, body, { lockRequired: false });
      const actor = { role: config.posRole, stores: storeRows.map((s) => s.id) };
      return syncMutation(ctx, 'pos', async (tx) =>
        cmsChange(view, await changes.apply(view, { id, ...input, actor, username: 'pos', source: 'pos' }, tx)),
      );
    },
  });

  // Server-sent events of both workflows (only orders of stores the user may see), http/sse.js.
  define({
    method: 'GET',
    url: '/api/v1/events',
    schema: {
      summary: 'Server-sent events: `event: order` after every committed change',
      tags: [tag],
      security: [{ bearer: [] }, { cookie: [] }],
      response: { 200: { description: 'text/event-stream', type: 'string' }, 401: S.cmsError, 429: S.cmsError, 503: S.cmsError },
    },
    handler: (ctx) => {
      const user = requireUser(ctx);
      // HEAD: the stream's headers, no stream. The body must be a string: with a non-JSON type
      // Fastify does not serialize it, and its HEAD handler measures it (an object was a 500).
      if (ctx.req.method === 'HEAD') return { status: 200, body: '', headers: { 'Content-Type': 'text/event-stream; charset=utf-8' } };
      const no = streams.refusal(user.username);
      if (no) throw fail(ctx.dialect, no.status, no.code, no.message, {}, { 'Retry-After': '5' });
      ctx.reply.hijack();
      for (const [k, v] of Object.entries(ctx.reply.getHeaders())) ctx.res.setHeader(k, v); // security headers
      streams.open(ctx.req, ctx.res, {
        username: user.username,
        token: ctx.auth.token,
        expiresAt: ctx.auth.expiresAt,
        visible: Object.fromEntries(Object.values(views).map((v) => [v.id, v.visibleStores(user)])),
      });
      return null; // the stream stays open
    },
  });

  define({
    method: 'GET',
    url: '/api/v1/workflow',
    public: true,
    schema: {
      summary: 'The cms workflow document the server enforces',
      tags: [tag],
      response: { 200: { type: 'object', additionalProperties: true } },
    },
    handler: () => ({ status: 200, body: view.wf.document }),
  });
}
