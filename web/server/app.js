// The reference REST server on Fastify: plugins, hooks and error mapping; the routes live in
// routes/ (one file per dialect, mirroring the client's adapters web/src/api/cms.js and
// delivery.js, plus auth, health/shared and admin), the decisions in services/ (every decision
// about a status change is the engine's), the data behind store/, HTTP plumbing in http/.
//
// A route is declared with `define({method, url, handler, schema, ...})`: handlers take one
// request context (ctx) and answer {status, body, headers} (or null once they took over the
// response, e.g. an event stream), so the dialects' exact bodies are built in one place each.
import http from 'node:http';
import Fastify from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import { HttpError, dialectOf, errorBody, fail, failureOf } from './http/errors.js';
import { MAX_BODY_BYTES, SECURITY_HEADERS, readBody, parseJsonObject } from './http/body.js';
import { validationMessage } from './http/validation.js';
import { onClientError } from './http/client-error.js';
import { Sessions, SESSION_COOKIE, SESSION_CACHE_MS } from './auth.js';
import { createGuard } from './http/guard.js';
import { OrderReader } from './services/orders.js';
import { StatusChange } from './services/status-change.js';
import { serveStatic } from './static.js';
import { EventStreams, sessionHash } from './http/sse.js';
import { IdempotencyKeys } from './http/idempotency.js';
import { LoginThrottle } from './login-throttle.js';
import { extraCost, serverOptions, limitConnections, loopDelayMonitor } from './limits.js';
import { createInProcessHub } from './events/index.js';
import { createExtras } from './routes/admin.js';
import { authRoutes } from './routes/auth.js';
import { sharedRoutes } from './routes/shared.js';
import { cmsRoutes } from './routes/cms.js';
import { deliveryRoutes } from './routes/delivery.js';
import { createMutations } from './http/mutations.js';

// What is read away of a body left unread after the answer, before the connection is closed
// (discardRest): far above any body this API takes, so a client still sending gets its answer.
const DISCARD_MAX_BYTES = 4 * 1024 * 1024;

// store: an opened store (store/index.js openStore). hub: an event hub (events/), default in-process.
export async function createApp({ store, views, config, hub = createInProcessHub() }) {
  // The session cache is on by default where this instance hears of every write of users and
  // sessions by others: SQLite's generation(), PostgreSQL's hub (its triggers). auth.js.
  const cacheMs = config.sessionCacheMs ?? (store.kind === 'sqlite' || hub.databaseEvents ? SESSION_CACHE_MS : 0);
  const sessions = new Sessions(store, { ttlMs: config.sessionTtlMs, cacheMs, maxPerUser: config.maxSessionsPerUser });
  const { admit, requireUser, rateLimit } = createGuard({ sessions, rateLimit: config.rateLimit });
  // on PostgreSQL the counts are the database's, shared by every instance (login-throttle.js)
  const logins = new LoginThrottle({ ...config.login, pool: store.kind === 'postgres' ? store.pool : null });
  const reader = new OrderReader(store);
  const changes = new StatusChange({ store, reader, failOrderIds: config.failOrderIds });
  const idem = new IdempotencyKeys(store, {
    ttlMs: config.idempotencyTtlMs,
    maxKeys: config.idempotencyMaxKeys,
    maxBytes: config.idempotencyMaxBytes,
  });
  const streams = new EventStreams({
    keepAliveMs: config.sseKeepAliveMs,
    maxPerUser: config.maxStreamsPerUser,
    maxTotal: config.maxStreams,
  });
  // Order events go to the streams; a 'session_ended' event (a logout, possibly through another
  // instance: the hub of a PostgreSQL store reaches every instance) ends that session's streams.
  // 'sessions_stale': users or sessions were edited in the database (events/pg.js).
  const unsubscribe = hub.subscribe((event) => {
    if (event?.type === 'sessions_stale') return sessions.invalidate();
    if (event?.type !== 'session_ended') return streams.publish(event);
    sessions.forget(event.session); // the same hash as the store's (sha256 of the token)
    streams.endSessionByHash(event.session);
  });
  const publish = (event) => hub.publish(event);
  const endSession = (token) => hub.publish({ type: 'session_ended', session: sessionHash(token) });
  const storeRows = await store.stores.list();
  const loopDelay = loopDelayMonitor();
  const failure = (err, message) => failureOf(store, err, message);

  const fastify = Fastify({
    // node:http with our timeouts against slow clients and the per-address connection cap (limits.js).
    serverFactory: (handler) => {
      const server = http.createServer(serverOptions(config), handler);
      server.keepAliveTimeout = config.keepAliveTimeoutMs;
      // A client may end its side once its request is sent (HTTP/1.0 tools, `nc -N`). node:http
      // then dropped the request in flight unless answered at once: on PostgreSQL 20 of 20 such
      // PUTs got no answer, though each was applied. With this (node:http's own switch, not in
      // its documented options) the answer is written and the connection closed after it.
      server.httpAllowHalfOpen = true;
      limitConnections(server, config);
      return server;
    },
    // Validation by the schemas, but never changing a body: no coercion ("3" is not 3), no removal
    // of unknown keys (they are refused), no defaults.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: false } },
    // A path that is not valid percent-encoded UTF-8 is routed with its '%' kept literally: the
    // route (or the static files) then refuses it with its own message, as for any bad id.
    rewriteUrl: (req) => escapeBadPercent(req.url),
    // A repeated query parameter counts with its first value (URLSearchParams.get), as the
    // handlers read it: `?per_page=5000&per_page=500` lists 5,000, it is not a 400.
    // An over-long id is the route's 400 like any other bad id (the request line is bounded by
    // node:http's header limit anyway), not the router's 414.
    routerOptions: { querystringParser: firstValues, maxParamLength: 16384 },
    // Anything else the router refuses before a route runs: still the API's error body.
    frameworkErrors: (err, request, reply) => {
      const path = pathOf(String(request.raw.originalUrl ?? request.raw.url ?? ''));
      const status = err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
      reply
        .code(status)
        .headers({ ...SECURITY_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' })
        .send(errorBody(dialectOf(path), 'bad_request', String(err.message ?? 'Bad request').slice(0, 300)));
    },
    // Malformed HTTP, oversize headers, timeouts: the API's error body naming the problem.
    clientErrorHandler: onClientError,
    return503OnClosing: false,
    forceCloseConnections: false,
  });
  // The answers are built per dialect and pinned word for word; the response schemas document them
  // (OpenAPI) but must not filter or coerce them, as fast-json-stringify would.
  fastify.setSerializerCompiler(() => (data) => JSON.stringify(data));
  await fastify.register(fastifyCookie);
  await fastify.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'orderflow reference server',
        version: '1.0.0',
        description: "Both dialects of the REST API (docs/rest-api.md), generated from the routes' JSON Schemas.",
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, cookie: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE } },
      },
    },
  });

  // The request body: read raw (bounded) and parsed here, for every content type; see http/body.js.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', async (request, payload) => {
    const ctx = request.ctx;
    if (!request.routeOptions.config.mutation) {
      payload.resume();
      return undefined;
    } // a body this route does not read
    checkJsonType(ctx, request.headers['content-type']);
    const buf = await readBody(payload, request.routeOptions.config.bodyLimit ?? MAX_BODY_BYTES);
    ctx.rawBody = buf;
    ctx.charge(extraCost.bytes(buf.length));
    return parseJsonObject(buf, (m) => fail(ctx.dialect, 400, 'bad_request', m));
  });

  function checkJsonType(ctx, type) {
    // A compressed body was read as if it were plain: `{}` sent with Content-Encoding: gzip was
    // accepted, and real gzip bytes were answered "not valid UTF-8". Say what is wrong instead.
    const coding = ctx.req.headers['content-encoding'];
    if (coding !== undefined && !/^\s*identity\s*$/i.test(coding)) {
      throw fail(
        ctx.dialect,
        415,
        'unsupported_media_type',
        `Content-Encoding ${JSON.stringify(String(coding).slice(0, 60))} is not supported; send the body uncompressed`,
      );
    }
    if (!/^application\/json\s*(;|$)/i.test(type ?? '')) {
      throw fail(
        ctx.dialect,
        415,
        'unsupported_media_type',
        `Content-Type must be application/json, got ${JSON.stringify(String(type ?? 'none').slice(0, 60))}`,
      );
    }
    // JSON is UTF-8 (RFC 8259); a body declared in another charset was answered "Malformed JSON ...
    // at position 1" (UTF-16) or "not valid UTF-8" (Latin-1), naming the symptom, not the cause.
    const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(type)?.[1];
    if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
      throw fail(
        ctx.dialect,
        415,
        'unsupported_media_type',
        `The request body must be UTF-8 JSON; charset ${JSON.stringify(charset.slice(0, 40))} is not supported`,
      );
    }
  }

  fastify.addHook('onRequest', async (request, reply) => {
    reply.headers(SECURITY_HEADERS);
    const raw = request.raw;
    const path = pathOf(raw.originalUrl ?? raw.url);
    const ctx = {
      request,
      reply,
      req: raw,
      res: reply.raw,
      path,
      dialect: dialectOf(path),
      // parsed on first use: most requests (a PUT, one order) never read their query string
      get url() {
        return (this.parsedUrl ??= new URL(raw.originalUrl ?? raw.url, 'http://localhost'));
      },
      parsedUrl: null,
      params: {},
      auth: null,
      who: null,
      charge: () => {},
    };
    request.ctx = ctx;
    if (raw.headers.host === undefined && raw.httpVersion === '1.1') {
      throw fail(ctx.dialect, 400, 'bad_request', 'The Host header is required (HTTP/1.1)');
    }
    // A request with a body: once answered, whatever of it is still unread is bounded (discardRest).
    // Registered after node:http's own 'finish' listener, which starts draining it.
    if (raw.headers['content-length'] !== undefined || raw.headers['transfer-encoding'] !== undefined) {
      reply.raw.once('finish', () => discardRest(raw));
    }
    if (request.is404) return; // static files, or the API's 404/405 (setNotFoundHandler)
    const opts = request.routeOptions.config;
    ctx.params = rawParams(request.routeOptions.url, path);
    await admit(ctx, opts); // the session, the rate limit, CSRF (http/guard.js)
    // The route's own checks that come before its body is read (who may call it, the id).
    if (opts.before) await opts.before(ctx);
  });

  // A mutation without a body never reaches the content-type parser: same 415/400 as with one.
  // A hook of the mutation routes only (define), and in callback form: an async hook on every
  // route cost each request a promise for nothing.
  function bodilessMutation(request, reply, done) {
    const ctx = request.ctx;
    if (ctx.rawBody !== undefined) {
      done();
      return;
    }
    try {
      checkJsonType(ctx, request.headers['content-type']);
      ctx.rawBody = Buffer.alloc(0);
      parseJsonObject(ctx.rawBody, (m) => fail(ctx.dialect, 400, 'bad_request', m));
    } catch (e) {
      done(e);
      return;
    }
    done();
  }

  function send(ctx, status, body, headers = {}) {
    const { reply } = ctx;
    if (reply.sent || ctx.res.destroyed) return;
    reply
      .code(status)
      .headers({ 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers })
      .send(body);
    extras.audit.fromAnswer(ctx, status, body, headers); // refusals -> audit trail
  }

  // The rest of a body nobody reads (after a 413, or after any answer given before the body was
  // read: 401, 403, 429, a route without a body) is read and thrown away, at most
  // DISCARD_MAX_BYTES or 2 s, then the connection is closed: closing at once would reset it before
  // the client reads the answer, and node:http alone drained ANY length (a 2 GB body to
  // /api/health or an anonymous PUT was read to its end: about 1 s of CPU for one request).
  function discardRest(req) {
    if (req.complete || req.discarding) return;
    req.discarding = true;
    // Counted on the socket: a body node:http drains itself never reaches 'data' listeners.
    const socket = req.socket;
    const start = socket.bytesRead;
    const stop = () => {
      clearInterval(watch);
      clearTimeout(timer);
    };
    const watch = setInterval(() => {
      if (socket.bytesRead - start > DISCARD_MAX_BYTES) socket.destroy();
    }, 20);
    const timer = setTimeout(() => socket.destroy(), 2000);
    watch.unref();
    timer.unref();
    req.on('end', stop);
    req.on('close', stop);
    socket.once('close', stop);
    req.resume();
  }

  fastify.setErrorHandler(async (err, request, reply) => {
    const ctx = request.ctx ?? {
      request,
      reply,
      req: request.raw,
      res: reply.raw,
      path: request.url,
      dialect: 'generic',
      charge: () => {},
    };
    // Fastify closes the connection after a body-parsing error; the client may still be sending and
    // would then miss the answer. The rest of a too-large body is read away instead (discardRest),
    // and a body never read is dumped by node:http itself, as the server always did.
    reply.removeHeader('connection');
    if (err.validation) {
      const { message, status = 400 } = validationMessage(err, request);
      send(ctx, status, errorBody(ctx.dialect, 'bad_request', message));
    } else if (err.clientGone) {
      send(ctx, 400, errorBody(ctx.dialect, 'bad_request', err.message)); // usually nobody is left to read it
    } else if (err instanceof HttpError) {
      let body = err.body;
      if (err.status === 413) {
        body = errorBody(ctx.dialect, 'payload_too_large', err.body.message);
        ctx.charge(extraCost.bytes(err.limit ?? MAX_BODY_BYTES));
      }
      send(ctx, err.status, body, err.headers);
      if (err.closeConnection) discardRest(request.raw);
    } else if (err instanceof TypeError && String(err.message).startsWith('orderflow:')) {
      send(ctx, 400, errorBody(ctx.dialect, 'bad_request', err.message.slice(0, 300)));
    } else {
      const f = failure(err, 'Internal server error; nothing was changed');
      send(ctx, f.status, errorBody(ctx.dialect, f.code, f.message), f.headers);
    }
    return reply;
  });

  // Method/path pairs, for the API's 404 and 405 (with Allow) answers.
  const table = [];
  fastify.addHook('onRoute', (route) => {
    if (route.method === 'HEAD' || !route.url.startsWith('/api')) return;
    const re = new RegExp(`^${route.url.replace(/:[a-z_]+/g, '[^/]+')}$`);
    table.push([route.method, re]);
  });

  fastify.setNotFoundHandler(async (request, reply) => {
    const ctx = request.ctx;
    // The API's space, however the slashes are written: "//api/v1/orders/1", "/api%2Fv1/orders",
    // "/API/health" got the UI's index.html with 200, which an API client cannot read.
    if (!/^\/+api(\/|%2f|$)/i.test(ctx.path)) {
      reply.hijack();
      for (const [k, v] of Object.entries(SECURITY_HEADERS)) reply.raw.setHeader(k, v);
      // Own code, not @fastify/static: the SPA fallback, the "UI not built" page, the 400s for
      // traversal attempts and the cache rules are pinned by tests (server-api, hostile).
      serveStatic(request.raw, reply.raw, ctx.path, config.staticDir);
      return;
    }
    const matches = table.filter(([, re]) => re.test(ctx.path));
    if (matches.length === 0) throw fail(ctx.dialect, 404, 'not_found', `No such endpoint: ${request.method} ${ctx.path.slice(0, 100)}`);
    const allow = [...new Set(matches.map(([m]) => m))].join(', ');
    throw fail(
      ctx.dialect,
      405,
      'method_not_allowed',
      `Method ${request.method} is not allowed here (allowed: ${allow})`,
      {},
      { Allow: allow },
    );
  });

  // define({method, url, handler(ctx), schema, public, webhook, mutation, before(ctx), bodyLimit})
  function define({ method, url, handler, schema = {}, ...opts }) {
    fastify.route({
      method,
      url,
      schema,
      ...(opts.mutation ? { preValidation: bodilessMutation } : {}),
      config: {
        public: !!opts.public,
        webhook: opts.webhook ?? null, // (request) => the caller showed the webhook's secret
        mutation: !!opts.mutation,
        before: opts.before,
        bodyLimit: opts.bodyLimit,
        messages: opts.messages ?? {},
      },
      handler: async (request) => {
        const ctx = request.ctx;
        const resp = await handler(ctx, request.body);
        if (resp) send(ctx, resp.status, resp.body, resp.headers);
        return request.reply;
      },
    });
  }

  const { syncMutation, asyncMutation } = createMutations({ store, idem, publish, fail });
  const deps = {
    store,
    views,
    config,
    reader,
    changes,
    sessions,
    logins,
    streams,
    endSession,
    storeRows,
    loopDelay,
    publish,
    failure,
    requireUser,
    rateLimit,
    syncMutation,
    asyncMutation,
    define,
    fastify,
  };
  const extras = createExtras({ ...deps, helpers: { requireUser, fail, failure, publish } });
  deps.extras = extras;
  authRoutes(deps);
  sharedRoutes(deps);
  cmsRoutes(deps);
  deliveryRoutes(deps);
  extras.routes(deps);
  define({
    method: 'GET',
    url: '/api/openapi.json',
    public: true,
    schema: { summary: 'This OpenAPI document', tags: ['shared'], response: { 200: { type: 'object', additionalProperties: true } } },
    handler: () => ({ status: 200, body: fastify.swagger() }),
  });
  await fastify.ready();

  const closeStreams = () => {
    unsubscribe();
    streams.closeAll();
    loopDelay.stop();
    idem.stop();
  };
  return { server: fastify.server, fastify, closeStreams, publish, extras };
}

// The raw (still percent-encoded) path parameters of a matched route: ids are checked and echoed
// in messages exactly as sent.
function rawParams(pattern, path) {
  const out = {};
  const names = pattern.split('/');
  const parts = path.split('/');
  names.forEach((n, i) => {
    if (n.startsWith(':')) out[n.slice(1)] = parts[i];
  });
  return out;
}

// The path of a request target, as sent (still percent-encoded), without its query. The
// absolute form (`PUT http://host/api/v1/orders/7`, which HTTP/1.1 servers must accept and the
// router routes by its path) is cut to its path: read whole, the route saw "v1" as the order id,
// answered in no dialect, and the audit trail did not recognize a refused bulk or POS change.
export function pathOf(url) {
  const q = url.indexOf('?');
  const target = q < 0 ? url : url.slice(0, q);
  if (target.charCodeAt(0) === 47) return target; // '/': the usual origin form
  const m = /^https?:\/\/[^/]*/i.exec(target);
  return m ? target.slice(m[0].length) || '/' : target;
}

function firstValues(text) {
  const out = {};
  if (text === '') return out; // the router asks for every request, most have no query
  for (const [k, v] of new URLSearchParams(text)) {
    if (!Object.hasOwn(out, k)) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function escapeBadPercent(url) {
  if (!url.includes('%')) return url;
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const fixed = path
    .split('/')
    .map((seg) => {
      try {
        decodeURIComponent(seg);
        return seg;
      } catch {
        return seg.replace(/%/g, '%25');
      }
    })
    .join('/');
  return fixed + (q < 0 ? '' : url.slice(q));
}
