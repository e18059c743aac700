// The admin side of the REST server (issue 13): the notification dispatcher's endpoints, the
// audit trail of refusals, and bulk jobs. createApp (app.js) calls createExtras once; the bulk
// routes hand large bulks to submitBulk, history reads go through annotateHistory.
//
//   GET  /api/v1/notifications            admin: ?state=pending|sent|failed|held&workflow=&page=&per_page=
//   GET  /api/v1/notifications/:id        admin
//   POST /api/v1/notifications/:id/retry  admin: a failed (or held) notification is sent again
//   GET  /api/v1/audit                    admin: ?username=&order_id=&code=&since=&until=&before_id=&limit=
//   GET  /api/v1/jobs/:id                 the job's creator or an admin (kept ORDERFLOW_JOB_RETENTION_MS after it ends)
import { parseId } from '../http/body.js';
import { badRequest, fail } from '../http/errors.js';
import { extraCost } from '../limits.js';
import { readExtrasConfig } from '../notify/config.js';
import { Dispatcher } from '../notify/dispatcher.js';
import { AuditTrail } from '../audit.js';
import { BulkJobs } from '../jobs.js';
import { bulkFailure } from './orders.js';
import * as S from './schemas.js';

const STATES = ['pending', 'sent', 'failed', 'held'];

// helpers (from app.js): {requireUser, failure, publish}
export function createExtras({ store, views, changes, reader, config, helpers: appHelpers }) {
  const helpers = { ...appHelpers, bulkFailure: (ctx, view, id, r) => bulkFailure(view, id, r) };
  const extras = config.extras ?? readExtrasConfig();
  const dispatcher = new Dispatcher({ store, views, config: extras });
  const audit = new AuditTrail(store, { maxRows: extras.auditMaxRows, maxPerUser: extras.auditMaxRowsPerUser ?? undefined });
  const closeBatch = (id) => dispatcher.closeBatch(id);
  const jobs = new BulkJobs({ store, views, changes, reader, config, extras, audit, closeBatch, helpers });
  const adminRole = extras.adminRole ?? 'admin';
  const { requireUser } = helpers;

  // An administrator holds the admin role, with scope "all", in every workflow the server runs.
  function isAdmin(user) {
    return Object.values(views).every((v) => user.roles?.[v.id] === adminRole && v.wf.visibleStores({ role: adminRole }).all);
  }
  function requireAdmin(ctx) {
    const user = requireUser(ctx);
    if (!isAdmin(user)) throw fail(ctx.dialect, 403, 'forbidden', 'Only an administrator may see this');
    return user;
  }
  function intParam(ctx, name, def, max) {
    const v = ctx.url.searchParams.get(name);
    if (v === null || v === '') return def;
    const n = parseId(v);
    if (n === null || (max && n > max)) throw badRequest(ctx, `${name} must be a positive integer${max ? ` of at most ${max}` : ''}`);
    return n;
  }
  // ISO 8601 only: Date() alone also took "1" (2001-01-01), "Dec 1" or 2026-02-31 (March 3rd), so
  // a typo filtered silently by a date nobody meant.
  const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;
  function timeParam(ctx, name) {
    const v = ctx.url.searchParams.get(name);
    if (v === null || v === '') return null;
    const m = ISO_TIME.exec(v);
    const t = m ? new Date(v) : null;
    const [y, mo, d] = m ? m.slice(1, 4).map(Number) : [];
    const realDay = m && new Date(Date.UTC(y, mo - 1, d)).getUTCDate() === d && mo >= 1 && mo <= 12;
    if (!t || Number.isNaN(t.getTime()) || !realDay)
      throw badRequest(ctx, `${name} must be a date and time in ISO 8601, e.g. 2026-12-01T09:30:00Z`);
    return t.toISOString();
  }

  const notificationJson = (n) => ({
    id: n.id,
    kind: n.kind,
    workflow: n.workflow,
    state: n.state,
    order_count: n.order_count,
    created_at: n.created_at,
    sent_at: n.state === 'sent' ? n.sent_at : null,
    attempts: n.attempts,
    last_error:
      n.deliveries
        .map((d) => d.last_error)
        .filter(Boolean)
        .pop() ?? null,
    deliveries: n.deliveries.map((d) => ({
      channel: d.channel,
      state: d.state,
      attempts: d.attempts,
      last_error: d.last_error,
      sent_at: d.sent_at,
      next_attempt_at: d.state === 'pending' ? new Date(d.next_attempt_at).toISOString() : null,
      webhook_id: d.channel === 'webhook' ? d.message_id : undefined,
    })),
  });

  async function listNotifications(ctx) {
    requireAdmin(ctx);
    const sp = ctx.url.searchParams;
    const state = sp.get('state') || null;
    if (state && !STATES.includes(state)) throw badRequest(ctx, `state must be one of ${STATES.join(', ')}`);
    const workflow = sp.get('workflow') || null;
    // own keys only: "constructor" or "__proto__" is not a workflow (was a 200 with no rows)
    if (workflow && !Object.hasOwn(views, workflow)) throw badRequest(ctx, `Unknown workflow "${workflow.slice(0, 40)}"`);
    const page = intParam(ctx, 'page', 1);
    const perPage = intParam(ctx, 'per_page', 50, 500);
    const { total, rows } = await dispatcher.store.list({ state, workflow, limit: perPage, offset: (page - 1) * perPage });
    ctx.charge(extraCost.rows(rows.length));
    return {
      status: 200,
      body: {
        notifications: rows.map(notificationJson),
        page,
        per_page: perPage,
        total,
        transports: dispatcher.configured ? dispatcher.channels : [],
      },
    };
  }

  async function oneNotification(ctx) {
    const id = parseId(ctx.params.id);
    if (id === null) throw badRequest(ctx, 'Notification id must be a positive integer');
    const n = await dispatcher.store.get(id);
    if (!n) throw fail(ctx.dialect, 404, 'not_found', `No notification ${id}`);
    return n;
  }

  async function getNotification(ctx) {
    requireAdmin(ctx);
    const n = await oneNotification(ctx);
    const content = await dispatcher.store.content(n.id, 1000);
    ctx.charge(extraCost.rows(content.items.length));
    return {
      status: 200,
      body: {
        notification: {
          ...notificationJson(n),
          orders: content.items.map((i) => ({
            id: i.order_id,
            status: i.status,
            lock_version: i.lock_version,
            customer_name: i.customer_name,
            store_id: i.store_id,
          })),
        },
      },
    };
  }

  async function retryNotification(ctx) {
    requireAdmin(ctx);
    const n = await oneNotification(ctx);
    if (n.state === 'held' && !dispatcher.configured) {
      throw fail(
        ctx.dialect,
        409,
        'no_transport',
        'No transport is configured (ORDERFLOW_NOTIFY_WEBHOOK_URL, ORDERFLOW_SMTP_URL): the notification stays held',
      );
    }
    if (n.state !== 'failed' && n.state !== 'held')
      throw fail(ctx.dialect, 409, 'not_retryable', `Notification ${n.id} is ${n.state}; only a failed or held one can be retried`);
    await dispatcher.store.retry(n.id, dispatcher.channels);
    return { status: 202, body: { notification: notificationJson(await dispatcher.store.get(n.id)) } };
  }

  async function listAudit(ctx) {
    requireAdmin(ctx);
    const sp = ctx.url.searchParams;
    const text = (name, max) => {
      const v = sp.get(name);
      if (v === null || v === '') return null;
      if (v.length > max) throw badRequest(ctx, `${name} is too long`);
      return v;
    };
    const filter = {
      username: text('username', 200),
      code: text('code', 64),
      orderId: intParam(ctx, 'order_id', null),
      since: timeParam(ctx, 'since'),
      until: timeParam(ctx, 'until'),
      beforeId: intParam(ctx, 'before_id', null),
      limit: intParam(ctx, 'limit', 100, 1000),
    };
    await audit.flush({ all: true }); // what was refused a moment ago is visible now
    const entries = await audit.list(filter);
    ctx.charge(extraCost.rows(entries.length));
    return {
      status: 200,
      body: { entries, next_before_id: entries.length === filter.limit ? entries[entries.length - 1].id : null, max_rows: audit.maxRows },
    };
  }

  async function getJob(ctx) {
    const user = requireUser(ctx);
    const id = String(ctx.params.id);
    const job = /^job_[0-9a-f]{24}$/.test(id) ? await jobs.get(id, { withResults: ctx.url.searchParams.get('results') !== '0' }) : null;
    // Someone else's job is answered as missing: its existence is not leaked.
    if (!job || (job.username !== user.username && !isAdmin(user))) throw fail(ctx.dialect, 404, 'not_found', `No job ${id.slice(0, 40)}`);
    // Charged like a list (one token per 50 rows): a finished 20,000-order job is a 2 MB answer,
    // and one read-only user polling it on 8 connections held /api/health at 190 ms for 1 token each.
    ctx.charge(extraCost.rows(job.results?.length ?? 0));
    return { status: 200, body: { job } };
  }

  // The bulk hook: called by bulkUpdate for a request above the threshold. appHelpers: app.js's
  // {changeInput, syncMutation} (the same input rules and Idempotency-Key handling as every change).
  async function submitBulk(ctx, view, user, body, { changeInput, syncMutation }) {
    const ids = body.order_ids;
    if (ids.length > extras.jobMaxOrders)
      throw badRequest(ctx, `order_ids may hold at most ${extras.jobMaxOrders} ids (got ${ids.length})`);
    // The same checks as the synchronous bulk's, kept here so app.js gains one hook line only.
    const bad = ids.filter((x) => typeof x !== 'number' || parseId(x) === null);
    if (bad.length)
      throw badRequest(
        ctx,
        `order_ids must be positive integers (bad: ${bad
          .slice(0, 5)
          .map((x) => String(JSON.stringify(x)).slice(0, 40))
          .join(', ')})`,
      );
    const seen = new Set();
    const dup = ids.filter((x) => (seen.has(x) ? true : (seen.add(x), false)));
    if (dup.length) throw badRequest(ctx, `order_ids holds duplicates: ${[...new Set(dup)].slice(0, 10).join(', ')}`);
    const input = changeInput(ctx, body, { lockRequired: false });
    // A job's ids are charged like a synchronous bulk's (one token per 50), but as debt rather
    // than required up front: a job may hold more ids than one burst of the bucket could ever
    // pay, and its work runs in the background, chunked, bounded per user by
    // ORDERFLOW_JOB_MAX_ACTIVE. The sender's next requests wait until the debt (at most one burst)
    // is paid, so a job is not a free way around the rate limit for engine checks and audit rows.
    ctx.charge(extraCost.ids(ids.length));
    const resp = await syncMutation(ctx, user.username, async (tx) => {
      if (!(await jobs.canStart(tx, user.username))) {
        throw fail(
          ctx.dialect,
          429,
          'too_many_jobs',
          `You have ${extras.jobMaxActive} bulk jobs running; wait for one to finish`,
          {},
          { 'Retry-After': '5' },
        );
      }
      const id = await jobs.create(tx, view, user, ids, input);
      return { status: 202, body: { success: true, job_id: id, job: await jobs.get(id, { db: tx }), status_url: `/api/v1/jobs/${id}` } };
    });
    jobs.start(resp.body.job_id);
    return { ...resp, headers: { ...(resp.headers ?? {}), Location: resp.body.status_url } };
  }

  // The history hook: whether the customer was told of each change (the notification of that
  // lock_version, and its delivery state).
  async function annotateHistory(history, orderId) {
    const byVersion = await dispatcher.store.notifiedVersions(orderId);
    if (byVersion.size === 0) return history.map((h) => ({ ...h, notification: null, customer_notified: false }));
    const states = new Map();
    for (const nid of new Set(byVersion.values())) states.set(nid, (await dispatcher.store.get(nid))?.state ?? null);
    return history.map((h) => {
      const nid = byVersion.get(h.lock_version);
      if (!nid) return { ...h, notification: null, customer_notified: false };
      const state = states.get(nid);
      return { ...h, notification: { id: nid, state }, customer_notified: state === 'sent' };
    });
  }

  const security = [{ bearer: [] }, { cookie: [] }];
  const tag = 'admin';
  const errors = (...codes) => Object.fromEntries(codes.map((c) => [c, S.cmsError]));
  const paged = { page: { ...S.positiveText }, per_page: { ...S.positiveText, description: 'at most 500' } };
  const notificationSchema = { type: 'object', additionalProperties: true };
  const adminMessages = (names) => Object.fromEntries(names.map((n) => [n, `${n} must be a positive integer`]));
  function routes({ define }) {
    define({
      method: 'GET',
      url: '/api/v1/notifications',
      handler: listNotifications,
      before: (ctx) => {
        requireAdmin(ctx);
      },
      schema: {
        summary: 'Customer notifications, newest first (admin)',
        tags: [tag],
        security,
        querystring: { type: 'object', properties: { state: { type: 'string', enum: STATES }, workflow: { type: 'string' }, ...paged } },
        response: {
          200: {
            type: 'object',
            properties: {
              notifications: { type: 'array', items: notificationSchema },
              page: { type: 'integer' },
              per_page: { type: 'integer' },
              total: { type: 'integer' },
              transports: { type: 'array', items: { type: 'string' } },
            },
          },
          ...errors(400, 401, 403),
        },
      },
      messages: {
        querystring: {
          state: `state must be one of ${STATES.join(', ')}`,
          page: 'page must be a positive integer',
          per_page: 'per_page must be a positive integer of at most 500',
        },
      },
    });
    define({
      method: 'GET',
      url: '/api/v1/notifications/:id',
      handler: getNotification,
      before: (ctx) => {
        requireAdmin(ctx);
      },
      schema: {
        summary: 'One notification with its orders (admin)',
        tags: [tag],
        security,
        params: S.idParam,
        response: { 200: { type: 'object', properties: { notification: notificationSchema } }, ...errors(400, 401, 403, 404) },
      },
      messages: { params: { id: 'Notification id must be a positive integer' } },
    });
    define({
      method: 'POST',
      url: '/api/v1/notifications/:id/retry',
      handler: retryNotification,
      before: (ctx) => {
        requireAdmin(ctx);
      },
      schema: {
        summary: 'Send a failed (or held) notification again (admin)',
        tags: [tag],
        security,
        params: S.idParam,
        response: { 202: { type: 'object', properties: { notification: notificationSchema } }, ...errors(400, 401, 403, 404, 409) },
      },
      messages: { params: { id: 'Notification id must be a positive integer' } },
    });
    define({
      method: 'GET',
      url: '/api/v1/audit',
      handler: listAudit,
      before: (ctx) => {
        requireAdmin(ctx);
      },
      schema: {
        summary: 'Refused change attempts, newest first (admin)',
        tags: [tag],
        security,
        querystring: {
          type: 'object',
          properties: {
            username: { type: 'string', maxLength: 200 },
            code: { type: 'string', maxLength: 64 },
            order_id: S.positiveText,
            since: { type: 'string', description: 'ISO 8601' },
            until: { type: 'string', description: 'ISO 8601' },
            before_id: S.positiveText,
            limit: { ...S.positiveText, description: 'at most 1000, default 100' },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              entries: { type: 'array', items: { type: 'object', additionalProperties: true } },
              next_before_id: { type: ['integer', 'null'] },
              max_rows: { type: 'integer' },
            },
          },
          ...errors(400, 401, 403),
        },
      },
      messages: {
        querystring: {
          username: 'username is too long',
          code: 'code is too long',
          ...adminMessages(['order_id', 'before_id']),
          limit: 'limit must be a positive integer of at most 1000',
        },
      },
    });
    define({
      method: 'GET',
      url: '/api/v1/jobs/:id',
      handler: getJob,
      before: (ctx) => {
        requireUser(ctx);
      },
      schema: {
        summary: 'A bulk job: progress, and its per-order results once done (its creator or an admin)',
        tags: [tag],
        security,
        params: { type: 'object', properties: { id: { type: 'string' } } },
        querystring: { type: 'object', properties: { results: { type: 'string', description: '"0": without the per-order results' } } },
        response: { 200: { type: 'object', properties: { job: { type: 'object', additionalProperties: true } } }, ...errors(401, 404) },
      },
    });
  }

  return {
    routes,
    audit,
    jobs,
    dispatcher,
    submitBulk,
    annotateHistory,
    closeBatch,
    jobThreshold: extras.jobThreshold,
    jobMaxOrders: extras.jobMaxOrders,
    start() {
      dispatcher.start();
      jobs.startResumer();
    },
    async stop() {
      await jobs.stop();
      await dispatcher.stop();
    },
  };
}
