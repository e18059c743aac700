// The reference REST server: routes of both dialects (docs/rest-api.md), authentication, CSRF,
// idempotency keys, rate limiting, server-sent events and static files. Every decision about a
// status change is the engine's (`wf.check`, `wf.planBulk`, `wf.allowed`); this file only maps
// its answers to each dialect's HTTP bodies.
import http from 'node:http';
import { createHash } from 'node:crypto';
import { HttpError, MAX_BODY_BYTES, sendJson, readBody, parseJsonObject, parseCookies, parseId, setSecurityHeaders } from './http.js';
import { Sessions, RateLimiter, SESSION_COOKIE, safeEqual, verifyPassword, userFromRow } from './auth.js';
import { OrderReader, WorkflowView, permissionOnly } from './services/orders.js';
import { StatusChange } from './services/status-change.js';
import { storageFailure } from './store/index.js';
import { serveStatic } from './static.js';
import { EventStreams } from './streams.js';
import { createPgEvents } from './events/pg.js';
import { IdempotencyKeys } from './idempotency.js';
import { LoginThrottle } from './login-throttle.js';
import { fieldsTooCostly, extraCost, serverOptions, limitConnections, loopDelayMonitor, bulkBodyLimit } from './limits.js';
import { createExtras } from './routes-admin.js';  // issue 13: notifications, audit trail, bulk jobs

// The sentences for "no such order" and "not allowed" come with the workflow (messages.order_not_found,
// messages.not_authorized): the delivery quick reference's words.
const NOT_FOUND = (view) => view.wf.document.messages.order_not_found;
const NOT_AUTHORIZED = (view) => view.wf.document.messages.not_authorized;
const MAX_BULK = 500;
const MAX_PER_PAGE = 5000;
const DUMMY_HASH = 'scrypt$16384$8$1$00000000000000000000000000000000$' + '0'.repeat(64);

// Which dialect (error body style) a path speaks.
function dialectOf(path) {
  if (path.startsWith('/api/v1/')) return 'cms';
  if (path === '/api/orders' || path.startsWith('/api/orders/') || path === '/api/workflow') return 'delivery';
  return 'generic';
}

function errorBody(dialect, code, message, extra = {}) {
  if (dialect === 'cms') return { error: { code, message, ...(extra.error ?? {}) }, ...(extra.body ?? {}) };
  if (dialect === 'delivery') return { success: false, message, ...(extra.body ?? {}) };
  return { success: false, message, error: { code, message } };
}

const fail = (dialect, status, code, message, extra, headers) =>
  new HttpError(status, errorBody(dialect, code, message, extra), headers);

// store: an opened store (store/index.js openStore).
export async function createApp({ store, views, config }) {
  const sessions = new Sessions(store, { ttlMs: config.sessionTtlMs });
  const limiter = new RateLimiter(config.rateLimit);
  const logins = new LoginThrottle(config.login);
  const reader = new OrderReader(store);
  const changes = new StatusChange({ store, reader, failOrderIds: config.failOrderIds });
  const idem = new IdempotencyKeys(store, { ttlMs: config.idempotencyTtlMs, maxKeys: config.idempotencyMaxKeys, maxBytes: config.idempotencyMaxBytes });
  const streams = new EventStreams({ keepAliveMs: config.sseKeepAliveMs, maxPerUser: config.maxStreamsPerUser, maxTotal: config.maxStreams });
  const storeRows = await store.stores.list();
  const storeIds = storeRows.map((s) => s.id);

  // On PostgreSQL several instances may share the database: events go through LISTEN/NOTIFY so
  // every instance's streams see every change (events/pg.js); on SQLite they stay in-process.
  const hub = store.kind === 'postgres' ? createPgEvents({ connectionString: config.databaseUrl, pool: store.pool }) : null;
  hub?.subscribe((event) => streams.publish(event));
  await hub?.ready;  // listening before this instance answers: no change of another instance is missed
  const publish = hub ? (event) => hub.publish(event) : (event) => streams.publish(event);
  // --- issue 13 hook: notifications, audit trail of refusals, bulk jobs (web/server/routes-admin.js)
  const extras = createExtras({ store, views, changes, reader, config, helpers: { requireUser, badRequest, fail, bulkFailure, failure, publish } });
  const loopDelay = loopDelayMonitor();

  // --- helpers ----------------------------------------------------------------------------
  async function authenticate(req) {
    const h = req.headers.authorization;
    if (typeof h === 'string' && /^Bearer\s+/i.test(h)) {
      const token = h.replace(/^Bearer\s+/i, '').trim();
      const s = await sessions.resolve(token);
      return s ? { ...s, via: 'bearer', token } : { invalid: true };
    }
    const cookie = parseCookies(req.headers.cookie)[SESSION_COOKIE];
    if (cookie) {
      const s = await sessions.resolve(cookie);
      return s ? { ...s, via: 'cookie', token: cookie } : null;
    }
    return null;
  }

  function requireUser(ctx) {
    if (!ctx.auth || ctx.auth.invalid) {
      throw fail(ctx.dialect, 401, 'unauthorized', ctx.auth?.invalid
        ? 'The bearer token is invalid or has expired; log in again'
        : 'Authentication required: log in and send Authorization: Bearer <token> or the session cookie');
    }
    return ctx.auth.user;
  }

  function badRequest(ctx, message, extra) { return fail(ctx.dialect, 400, 'bad_request', message, extra); }

  function orderId(ctx) {
    const id = parseId(ctx.params.id);
    if (id === null) throw badRequest(ctx, `Order id must be a positive integer, got "${String(ctx.params.id).slice(0, 40)}"`);
    return id;
  }

  // The user's stores in this workflow; no role there at all is a 403 (it says nothing about
  // any order). Orders outside these stores are answered exactly as missing ones (notFound).
  function storesOrThrow(ctx, view, user) {
    const stores = view.visibleStores(user);
    if (!stores) throw fail(ctx.dialect, 403, 'forbidden', ctx.dialect === 'delivery' ? NOT_AUTHORIZED(view) : `Your account has no role in the ${view.id} workflow`);
    return stores;
  }

  // A store filter on a list: naming a store the user may not see is a 403 (stores are public,
  // /api/stores; this tells nothing about orders).
  function storeFilterOrThrow(ctx, view, stores, storeId) {
    if (storeId && !WorkflowView.canSee(stores, storeId)) {
      throw fail(ctx.dialect, 403, 'forbidden', ctx.dialect === 'delivery' ? NOT_AUTHORIZED(view) : `Your account may not see orders of store ${storeId}`);
    }
  }

  // The one answer for "no such order" and "an order you may not see": same status, same body.
  const notFound = (ctx, view) => fail(ctx.dialect, 404, 'not_found', NOT_FOUND(view));

  // status + change fields from a body: `fields` object plus `notes` (and `tracking_number`).
  function changeInput(ctx, body, { lockRequired }) {
    if (typeof body.status !== 'string' || body.status.length === 0) throw badRequest(ctx, 'status is required and must be a non-empty string');
    if (body.status.length > 100) throw badRequest(ctx, 'status is too long (at most 100 characters)');
    if (body.fields !== undefined && body.fields !== null && (typeof body.fields !== 'object' || Array.isArray(body.fields))) {
      throw badRequest(ctx, 'fields must be a JSON object');
    }
    const fields = { ...(body.fields ?? {}) };
    for (const k of ['notes', 'tracking_number']) {
      if (body[k] === undefined || body[k] === null) continue;
      if (typeof body[k] !== 'string') throw badRequest(ctx, `${k} must be a string`);
      if (k in fields) throw badRequest(ctx, `${k} is given both at the top level and in fields`);
      fields[k] = body[k];
    }
    const tooCostly = fieldsTooCostly(fields);  // bounded before the engine runs
    if (tooCostly) throw badRequest(ctx, tooCostly);
    let lockVersion;
    if (body.lock_version === undefined || body.lock_version === null) {
      if (lockRequired) throw badRequest(ctx, 'lock_version is required (the order\'s lock_version as you last read it)');
    } else if (!Number.isSafeInteger(body.lock_version) || body.lock_version < 0) {
      throw badRequest(ctx, 'lock_version must be a non-negative integer');
    } else {
      lockVersion = body.lock_version;
    }
    return { to: body.status, fields, lockVersion };
  }

  // Maps a status-change result (services/status-change.js) to the dialect's answer; `events` are published after commit.
  function changeResponse(ctx, view, r) {
    if (ctx.dialect === 'delivery') {
      if (r.ok) return { status: 200, body: { success: true, message: 'Order status updated', data: r.order }, events: [{ ...r.event, store_id: r.order.store_id }] };
      if (r.kind === 'not_found') return { status: 404, body: { success: false, message: NOT_FOUND(view) } };
      if (r.kind === 'conflict') {
        return { status: 409, body: { success: false, message: conflictMessage(r.order), data: r.order } };
      }
      const unknown = r.errors.find((e) => e.code === 'unknown_status');
      if (unknown) return { status: 400, body: { success: false, message: unknown.message, validStatuses: view.statusIds } };
      if (permissionOnly(r.errors)) return { status: 403, body: { success: false, message: NOT_AUTHORIZED(view) } };
      return { status: 422, body: { success: false, message: r.errors[0]?.message ?? 'Refused', errors: r.errors } };
    }
    if (r.ok) return { status: 200, body: { order: r.order, history_entry: r.history_entry }, events: [{ ...r.event, store_id: r.order.store_id }] };
    if (r.kind === 'not_found') return { status: 404, body: { error: { code: 'not_found', message: NOT_FOUND(view) } } };
    if (r.kind === 'conflict') {
      return { status: 409, body: { error: { code: 'conflict', message: conflictMessage(r.order), changed_by: r.order.updated_by, changed_at: r.order.updated_at }, order: r.order } };
    }
    const code = permissionOnly(r.errors) ? 'forbidden' : 'refused';
    return { status: code === 'forbidden' ? 403 : 422, body: { error: { code, message: r.errors[0]?.message ?? 'Refused' }, errors: r.errors } };
  }

  function conflictMessage(order) {
    return `This order was changed by ${order.updated_by ?? 'someone else'} at ${order.updated_at} (now lock_version ${order.lock_version}); refresh it and try again`;
  }

  // Runs a mutation `fn(tx)` in one store transaction together with its idempotency key.
  async function syncMutation(ctx, scope, fn) {
    const key = idemKey(ctx);
    const fp = key && fingerprint(ctx);
    const resp = await store.transaction(async (tx) => {
      if (key) {
        const prior = await idem.get(tx, scope, key);
        if (prior) return replay(ctx, prior, fp);
      }
      const r = await fn(tx);
      if (key) await idem.put(tx, scope, key, fp, r.status, r.body);
      return r;
    });
    for (const e of resp.events ?? []) publish(e);
    return resp;
  }

  // Runs a long (chunked, yielding) mutation; its key is held "in progress" until it answers.
  async function asyncMutation(ctx, scope, fn) {
    const key = idemKey(ctx);
    const fp = key && fingerprint(ctx);
    if (key) {
      const early = await store.transaction(async (tx) => {
        const prior = await idem.get(tx, scope, key);
        if (prior) return replay(ctx, prior, fp);
        await idem.put(tx, scope, key, fp, null, null);
        return null;
      });
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

  function idemKey(ctx) {
    const k = ctx.req.headers['idempotency-key'];
    if (k === undefined) return null;
    if (typeof k !== 'string' || k.length === 0 || k.length > 255) throw badRequest(ctx, 'Idempotency-Key must be 1 to 255 characters');
    return k;
  }

  function fingerprint(ctx) {
    return createHash('sha256').update(`${ctx.req.method} ${ctx.path}\n`).update(ctx.rawBody ?? '').digest('hex');
  }

  function replay(ctx, prior, fp) {
    if (prior.fingerprint !== fp) {
      throw fail(ctx.dialect, 422, 'idempotency_key_reused', 'This Idempotency-Key was already used for a different request');
    }
    if (prior.status_code === null) {
      throw fail(ctx.dialect, 409, 'idempotency_in_progress', 'A request with this Idempotency-Key is still being processed; retry later', {}, { 'Retry-After': '1' });
    }
    return { status: prior.status_code, body: JSON.parse(prior.body), headers: { 'Idempotent-Replayed': 'true' } };
  }

  // Body read once, kept raw for the idempotency fingerprint.
  async function mutationBody(ctx, allowed, limit = MAX_BODY_BYTES) {
    const type = ctx.req.headers['content-type'];
    if (!/^application\/json\s*(;|$)/i.test(type ?? '')) {
      throw fail(ctx.dialect, 415, 'unsupported_media_type', `Content-Type must be application/json, got ${JSON.stringify(String(type ?? 'none').slice(0, 60))}`);
    }
    const buf = await readBody(ctx.req, limit);
    ctx.rawBody = buf;
    ctx.charge(extraCost.bytes(buf.length));
    const body = parseJsonObject(buf, (m) => badRequest(ctx, m));
    const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
    if (unknown.length) {
      throw badRequest(ctx, `Unknown field${unknown.length > 1 ? 's' : ''} in request body: ${unknown.map((k) => JSON.stringify(k)).join(', ')} (allowed: ${allowed.join(', ')})`);
    }
    return body;
  }

  function pageParams(ctx) {
    const sp = ctx.url.searchParams;
    const num = (name, def, max) => {
      const v = sp.get(name);
      if (v === null || v === '') return def;
      const n = parseId(v);
      if (n === null) throw badRequest(ctx, `${name} must be a positive integer`);
      if (max && n > max) throw badRequest(ctx, `${name} must be at most ${max}`);
      return n;
    };
    return { page: num('page', 1), perPage: num('per_page', 50, MAX_PER_PAGE) };
  }

  function statusFilter(ctx, view) {
    const s = ctx.url.searchParams.get('status');
    if (s === null || s === '') return null;
    const r = view.wf.normalize(s);
    if (!r || !r.ok) {
      if (ctx.dialect === 'delivery') throw new HttpError(400, { success: false, message: r?.error?.message ?? `Unknown status "${s}"`, validStatuses: view.statusIds });
      throw badRequest(ctx, r?.error?.message ?? `Unknown status "${s}"`);
    }
    return r.status;
  }

  function storeFilter(ctx) {
    const s = ctx.url.searchParams.get('store_id');
    if (s === null || s === '') return null;
    if (!storeIds.includes(s)) throw badRequest(ctx, `Unknown store_id "${s.slice(0, 40)}" (stores: ${storeIds.join(', ')})`);
    return s;
  }

  // --- handlers ---------------------------------------------------------------------------
  const userJson = (u) => ({ username: u.username, display_name: u.display_name, roles: u.roles, stores: u.stores });

  async function login(ctx) {
    const body = await mutationBody(ctx, ['username', 'password']);
    if (typeof body.username !== 'string' || typeof body.password !== 'string' || body.username.length > 200 || body.password.length > 1000) {
      throw badRequest(ctx, 'username and password are required strings');
    }
    const address = ctx.req.socket.remoteAddress ?? '?';
    const throttled = (s) => fail(ctx.dialect, 429, 'login_throttled', `Too many failed logins for this account or from this address; retry in ${s} s`, {}, { 'Retry-After': String(s) });
    const wait = await logins.wait(body.username, address);
    if (wait) throw throttled(wait);  // before the password is even hashed
    const row = await store.users.get(body.username);
    const ok = await verifyPassword(body.password, row ? row.password_hash : DUMMY_HASH);
    if (!row || !ok) {
      const locked = await logins.failed(body.username, address);
      if (locked) throw throttled(locked);
      return { status: 401, body: { success: false, message: 'Invalid username or password' } };
    }
    await logins.succeeded(body.username);
    const { token, csrf } = await sessions.create(row.username);
    return {
      status: 200,
      body: { success: true, token, csrf_token: csrf, user: userJson(userFromRow(row)) },
      headers: { 'Set-Cookie': `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(sessions.ttlMs / 1000)}` },
    };
  }

  function me(ctx) {
    const user = requireUser(ctx);
    return { status: 200, body: { success: true, user: userJson(user), csrf_token: ctx.auth.csrf } };
  }

  async function logout(ctx) {
    requireUser(ctx);
    await sessions.destroy(ctx.auth.token);
    streams.endSession(ctx.auth.token);
    return { status: 200, body: { success: true }, headers: { 'Set-Cookie': `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0` } };
  }

  async function demoUsers() {
    return { status: 200, body: { success: true, users: (await store.users.list()).map((r) => userJson(userFromRow(r))) } };
  }

  // Every store; with ?workflow=<id> and a signed-in user, only the stores whose orders that user
  // may see in that workflow (the role's scope, from the workflow document).
  function stores(ctx) {
    const id = ctx.url.searchParams.get('workflow');
    if (id === null) return { status: 200, body: { success: true, stores: storeRows } };
    const view = Object.hasOwn(views, id) ? views[id] : null;  // "__proto__" is not a workflow
    if (!view) throw badRequest(ctx, `Unknown workflow "${id.slice(0, 40)}" (workflows: ${Object.keys(views).join(', ')})`);
    const visible = view.visibleStores(requireUser(ctx)) ?? [];
    return { status: 200, body: { success: true, stores: storeRows.filter((r) => WorkflowView.canSee(visible, r.id)) } };
  }

  const workflowDoc = (view) => () => ({ status: 200, body: view.wf.document });

  function listOrders(view) {
    return async (ctx) => {
      const user = requireUser(ctx);
      const storeId = storeFilter(ctx);
      const stores = storesOrThrow(ctx, view, user);
      storeFilterOrThrow(ctx, view, stores, storeId);
      const status = statusFilter(ctx, view);
      const { page, perPage } = pageParams(ctx);
      const { total, orders } = await reader.list(view, { stores, storeId, status, page, perPage });
      ctx.charge(extraCost.rows(orders.length));
      if (ctx.dialect === 'delivery') return { status: 200, body: { success: true, data: orders, page, per_page: perPage, total } };
      return { status: 200, body: { orders, page, per_page: perPage, total } };
    };
  }

  async function loadVisible(ctx, view) {
    const user = requireUser(ctx);
    const id = orderId(ctx);
    const stores = storesOrThrow(ctx, view, user);
    const cur = await reader.get(view, id);
    if (!cur || !WorkflowView.canSee(stores, cur.row.store_id)) throw notFound(ctx, view);
    return { user, cur };
  }

  function getOrder(view) {
    return async (ctx) => {
      const { cur } = await loadVisible(ctx, view);
      return ctx.dialect === 'delivery' ? { status: 200, body: { success: true, data: cur.order } } : { status: 200, body: { order: cur.order } };
    };
  }

  function getHistory(view) {
    return async (ctx) => {
      const { cur } = await loadVisible(ctx, view);
      const history = await extras.annotateHistory(await reader.history(view, cur.row.id), cur.row.id);  // issue 13 hook
      return ctx.dialect === 'delivery' ? { status: 200, body: { success: true, data: history } } : { status: 200, body: { history } };
    };
  }

  function allowedStatuses(view) {
    return async (ctx) => {
      const { user, cur } = await loadVisible(ctx, view);
      const allowed = view.wf.allowed(cur.engine, view.actor(user));
      const current = cur.order.status;
      return ctx.dialect === 'delivery' ? { status: 200, body: { success: true, current, data: allowed } } : { status: 200, body: { current, allowed } };
    };
  }

  function updateOrder(view) {
    const isDelivery = view.id !== 'cms';
    const keys = isDelivery ? ['status', 'tracking_number', 'notes', 'fields', 'lock_version'] : ['status', 'notes', 'fields', 'lock_version'];
    return async (ctx) => {
      const user = requireUser(ctx);
      const stores = storesOrThrow(ctx, view, user);  // no role in this workflow: say so, before the engine sees a role-less actor
      const id = orderId(ctx);
      const body = await mutationBody(ctx, keys);
      const input = changeInput(ctx, body, { lockRequired: ctx.dialect === 'cms' });
      const visible = (row) => WorkflowView.canSee(stores, row.store_id);
      return syncMutation(ctx, user.username, async (tx) => {
        const r = await changes.apply(view, { id, ...input, actor: view.actor(user), username: user.username, source: sourceOf(ctx), visible }, tx);
        if (r.hidden) ctx.outOfScope = new Set([id]);  // for the audit trail only: the answer is a missing order's
        return changeResponse(ctx, view, r);
      });
    };
  }

  function sourceOf(ctx) {
    const s = ctx.req.headers['x-orderflow-source'];
    return s === 'ui' ? 'ui' : 'api';
  }

  // A bulk of up to the job maximum must fit (limits.js: bulkBodyLimit); 64 KB everywhere else.
  const bulkLimit = bulkBodyLimit(MAX_BODY_BYTES, extras.jobMaxOrders);

  function bulkUpdate(view) {
    return async (ctx) => {
      const user = requireUser(ctx);
      const stores = storesOrThrow(ctx, view, user);
      const body = await mutationBody(ctx, ['order_ids', 'status', 'notes', 'fields'], bulkLimit);
      if (!Array.isArray(body.order_ids) || body.order_ids.length === 0) throw badRequest(ctx, 'order_ids must be a non-empty array of order ids');
      // issue 13 hook: above the threshold the bulk runs as a background job (202 + job id)
      if (body.order_ids.length > Math.min(extras.jobThreshold, MAX_BULK)) return extras.submitBulk(ctx, view, user, body, { changeInput, syncMutation });
      if (body.order_ids.length > MAX_BULK) throw badRequest(ctx, `order_ids may hold at most ${MAX_BULK} ids (got ${body.order_ids.length})`);
      const bad = body.order_ids.filter((x) => typeof x !== 'number' || parseId(x) === null);
      if (bad.length) throw badRequest(ctx, `order_ids must be positive integers (bad: ${bad.slice(0, 5).map((x) => (typeof x === 'number' ? String(x) : String(JSON.stringify(x)).slice(0, 40))).join(', ')})`);
      const dup = body.order_ids.filter((x, i) => body.order_ids.indexOf(x) !== i);
      if (dup.length) throw badRequest(ctx, `order_ids holds duplicates: ${[...new Set(dup)].slice(0, 10).join(', ')}`);
      const input = changeInput(ctx, body, { lockRequired: false });
      rateLimit(ctx, extraCost.ids(body.order_ids.length));
      const visible = (row) => WorkflowView.canSee(stores, row.store_id);
      return asyncMutation(ctx, user.username, () => runBulk(ctx, view, user, body.order_ids, input, visible));
    };
  }

  // Each order is its own transaction; verdicts come from one planBulk per chunk; the event loop
  // is given back between chunks. One batched notification row for the whole request.
  // Orders the user may not see are left out before the engine is asked: their results are the
  // same as a missing id's.
  async function runBulk(ctx, view, user, ids, { to, fields }, visible) {
    const actor = view.actor(user);
    const notification = { kind: 'batch', id: null };
    const results = [];
    let succeeded = 0;
    for (let start = 0; start < ids.length; start += config.bulkChunk) {
      if (start > 0) {
        await new Promise((r) => setImmediate(r));
        if (config.bulkPauseMs) await new Promise((r) => setTimeout(r, config.bulkPauseMs));
      }
      const chunk = ids.slice(start, start + config.bulkChunk);
      const found = await reader.getMany(view, chunk);
      for (const [id, o] of found) {
        if (visible(o.row)) continue;
        found.delete(id);
        (ctx.outOfScope ??= new Set()).add(id);  // for the audit trail only
      }
      const plan = view.wf.planBulk([...found.values()].map((o) => o.engine), to, fields, actor);
      const blocked = new Map(plan.blocked.map((b) => [Number(b.id), b.errors]));
      for (const id of chunk) {
        if (!found.has(id)) { results.push(bulkFailure(ctx, view, id, { ok: false, kind: 'not_found' })); continue; }
        if (blocked.has(id)) { results.push(bulkFailure(ctx, view, id, { ok: false, kind: 'refused', errors: blocked.get(id) })); continue; }
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
          if (r.hidden) (ctx.outOfScope ??= new Set()).add(id);
          results.push(bulkFailure(ctx, view, id, r));
        }
      }
    }
    await extras.closeBatch(notification.id);  // issue 13 hook: the batch is complete, the dispatcher may send it
    return { status: 200, body: { results, succeeded, failed: results.length - succeeded, ...(notification.id ? { notification_id: notification.id } : {}) } };
  }

  function bulkFailure(ctx, view, id, r) {
    const resp = changeResponse({ ...ctx, dialect: 'cms' }, view, r);
    return { id, ok: false, status: resp.status, error: resp.body.error, ...(resp.body.errors ? { errors: resp.body.errors } : {}) };
  }

  function posWebhook(view) {
    return async (ctx) => {
      const secret = ctx.req.headers['x-webhook-secret'];
      if (!safeEqual(typeof secret === 'string' ? secret : '', config.posSecret)) {
        throw fail('cms', 401, 'unauthorized', 'Missing or wrong X-Webhook-Secret');
      }
      const body = await mutationBody(ctx, ['order_id', 'status', 'notes', 'fields', 'lock_version']);
      const id = parseId(body.order_id);
      if (id === null) throw badRequest(ctx, 'order_id must be a positive integer');
      const input = changeInput(ctx, body, { lockRequired: false });
      const actor = { role: config.posRole, stores: storeIds };
      return syncMutation(ctx, 'pos', async (tx) => changeResponse(ctx, view, await changes.apply(view, {
        id, ...input, actor, username: 'pos', source: 'pos',
      }, tx)));
    };
  }

  function events(ctx) {
    const user = requireUser(ctx);
    const { req, res } = ctx;
    if (req.method === 'HEAD') return { status: 200, body: {}, headers: { 'Content-Type': 'text/event-stream; charset=utf-8' } };
    const no = streams.refusal(user.username);
    if (no) throw fail(ctx.dialect, no.status, no.code, no.message, {}, { 'Retry-After': '5' });
    streams.open(req, res, {
      username: user.username, token: ctx.auth.token, expiresAt: ctx.auth.expiresAt,
      visible: Object.fromEntries(Object.values(views).map((v) => [v.id, v.visibleStores(user)])),
    });
    return null;  // the stream stays open
  }

  const routes = [
    ['POST', /^\/api\/auth\/login$/, login, { public: true }],
    ['GET', /^\/api\/auth\/me$/, me],
    ['POST', /^\/api\/auth\/logout$/, logout],
    ['GET', /^\/api\/auth\/demo_users$/, demoUsers, { public: true }],
    ['GET', /^\/api\/stores$/, stores, { public: true }],
    ['GET', /^\/api\/health$/, () => ({ status: 200, body: { success: true, status: 'ok', event_streams: streams.size, event_loop_delay_ms: loopDelay.read() } }), { public: true }],
    ['GET', /^\/api\/v1\/workflow$/, workflowDoc(views.cms), { public: true }],
    ['GET', /^\/api\/workflow$/, workflowDoc(views.delivery), { public: true }],
    ['GET', /^\/api\/v1\/events$/, events],
    ['POST', /^\/api\/v1\/webhooks\/pos$/, posWebhook(views.cms), { webhook: true }],
    ['GET', /^\/api\/v1\/orders$/, listOrders(views.cms)],
    ['POST', /^\/api\/v1\/orders\/bulk_update$/, bulkUpdate(views.cms)],
    ['GET', /^\/api\/v1\/orders\/(?<id>[^/]+)$/, getOrder(views.cms)],
    ['PUT', /^\/api\/v1\/orders\/(?<id>[^/]+)$/, updateOrder(views.cms)],
    ['GET', /^\/api\/v1\/orders\/(?<id>[^/]+)\/history$/, getHistory(views.cms)],
    ['GET', /^\/api\/v1\/orders\/(?<id>[^/]+)\/allowed_statuses$/, allowedStatuses(views.cms)],
    ['GET', /^\/api\/orders$/, listOrders(views.delivery)],
    ['POST', /^\/api\/orders\/bulk_update$/, bulkUpdate(views.delivery)],
    ['GET', /^\/api\/orders\/(?<id>[^/]+)$/, getOrder(views.delivery)],
    ['PUT', /^\/api\/orders\/(?<id>[^/]+)\/status$/, updateOrder(views.delivery)],
    ['GET', /^\/api\/orders\/(?<id>[^/]+)\/history$/, getHistory(views.delivery)],
    ['GET', /^\/api\/orders\/(?<id>[^/]+)\/allowed_statuses$/, allowedStatuses(views.delivery)],
    ...extras.routes,  // issue 13 hook
  ];

  function rateLimit(ctx, cost) {
    if (cost <= 0) return;
    const wait = limiter.take(ctx.who, cost);
    if (wait) throw fail(ctx.dialect, 429, 'rate_limited', `Too many requests; retry in ${wait} s`, {}, { 'Retry-After': String(wait) });
  }

  async function handleApi(ctx) {
    const { req } = ctx;
    const matches = routes.filter(([, re]) => re.test(ctx.path));
    if (matches.length === 0) throw fail(ctx.dialect, 404, 'not_found', `No such endpoint: ${req.method} ${ctx.path.slice(0, 100)}`);
    const route = matches.find(([m]) => m === req.method || (m === 'GET' && req.method === 'HEAD'));
    if (!route) {
      const allow = [...new Set(matches.map(([m]) => m))].join(', ');
      throw fail(ctx.dialect, 405, 'method_not_allowed', `Method ${req.method} is not allowed here (allowed: ${allow})`, {}, { Allow: allow });
    }
    const [method, re, handler, opts = {}] = route;
    ctx.params = re.exec(ctx.path).groups ?? {};
    ctx.auth = opts.webhook ? null : await authenticate(req);
    const who = opts.webhook ? 'pos' : ctx.auth?.user ? `u:${ctx.auth.user.username}` : `ip:${req.socket.remoteAddress}`;
    ctx.who = who;
    ctx.charge = (n) => limiter.charge(who, n);
    rateLimit(ctx, 1);
    if (method !== 'GET' && !opts.public && !opts.webhook && ctx.auth?.via === 'cookie') {
      const token = req.headers['x-csrf-token'];
      if (!safeEqual(typeof token === 'string' ? token : '', ctx.auth.csrf)) {
        throw fail(ctx.dialect === 'delivery' ? 'delivery' : 'cms', 403, 'csrf', 'Missing or wrong X-CSRF-Token header (required with the session cookie)',
          ctx.dialect === 'delivery' ? { body: { error: { code: 'csrf', message: 'Missing or wrong X-CSRF-Token header (required with the session cookie)' } } } : {});
      }
    }
    return handler(ctx);
  }

  // What an unexpected exception is answered with: SQLite's refusal for a lock or a full disk
  // (503/507, see storageFailure), else 500 `internal` with `internalMessage`, logged unless it is
  // the test hook's injected failure. Either way nothing was changed.
  function failure(err, internalMessage) {
    const sf = storageFailure(store, err);
    if (sf) return sf;
    if (!String(err?.message).startsWith('injected failure')) console.error('orderflow: internal error', err);
    return { status: 500, code: 'internal', message: internalMessage, headers: {} };
  }

  // After a 413 the rest of the body is read and thrown away (nothing is kept), for at most 2 s:
  // closing at once would reset the connection before the client reads the answer.
  function discardRest(req) {
    if (req.complete) return;
    const timer = setTimeout(() => req.socket.destroy(), 2000);
    timer.unref();
    req.on('end', () => clearTimeout(timer));
    req.on('close', () => clearTimeout(timer));
    req.resume();
  }

  async function handle(req, res) {
    setSecurityHeaders(res);
    let url;
    try {
      url = new URL(req.url, 'http://localhost');
    } catch {
      sendJson(res, 400, errorBody('generic', 'bad_request', 'Malformed request URL'));
      return;
    }
    const ctx = { req, res, url, path: url.pathname, dialect: dialectOf(url.pathname), closed: false };
    res.on('close', () => { ctx.closed = true; });
    if (!ctx.path.startsWith('/api/') && ctx.path !== '/api') {
      serveStatic(req, res, ctx.path, config.staticDir);
      return;
    }
    try {
      const resp = await handleApi(ctx);
      if (resp) sendJson(res, resp.status, resp.body, resp.headers);
      if (resp) extras.audit.fromAnswer(ctx, resp.status, resp.body, resp.headers);  // issue 13 hook: refusals -> audit trail
    } catch (err) {
      if (err instanceof HttpError) {
        let body = err.body;
        if (err.status === 413) {
          body = errorBody(ctx.dialect, 'payload_too_large', err.body.message);
          ctx.charge?.(extraCost.bytes(err.limit ?? MAX_BODY_BYTES));
        }
        sendJson(res, err.status, body, err.headers);
        extras.audit.fromAnswer(ctx, err.status, body, err.headers);  // issue 13 hook
        if (err.closeConnection) discardRest(req);
      } else if (err instanceof TypeError && String(err.message).startsWith('orderflow:')) {
        sendJson(res, 400, errorBody(ctx.dialect, 'bad_request', err.message.slice(0, 300)));
      } else {
        const f = failure(err, 'Internal server error; nothing was changed');
        sendJson(res, f.status, errorBody(ctx.dialect, f.code, f.message), f.headers);
      }
    }
  }

  const server = http.createServer(serverOptions(config), (req, res) => {
    handle(req, res).catch((err) => {
      console.error('orderflow: unhandled', err);
      if (!res.headersSent) sendJson(res, 500, errorBody('generic', 'internal', 'Internal server error'));
    });
  });
  server.keepAliveTimeout = config.keepAliveTimeoutMs;
  limitConnections(server, config);

  const closeStreams = () => { streams.closeAll(); loopDelay.stop(); idem.stop(); hub?.close(); };

  return { server, closeStreams, publish, extras };
}
