#!/usr/bin/env node
// orderflow reference REST server. Environment:
//   PORT (default 3000; 0 = any free port), HOST (default 0.0.0.0), ORDERFLOW_DATA_DIR (default ./.data),
//   DATABASE_URL (postgres://...: use PostgreSQL instead of SQLite in ORDERFLOW_DATA_DIR; several
//   instances may share it, docs/scaling.md), ORDERFLOW_PG_POOL_SIZE (PostgreSQL connections per
//   instance, default 10),
//   ORDERFLOW_POS_SECRET (default "demo-pos-secret"), ORDERFLOW_RATE_LIMIT ("off" | "<rate>[:<burst>]",
//   default 50:100 per user), ORDERFLOW_BUSY_TIMEOUT_MS (lock wait before 503, default 1000: SQLite's
//   busy timeout, PostgreSQL's lock_timeout),
//   ORDERFLOW_SEED_CMS_ORDERS / ORDERFLOW_SEED_DELIVERY_ORDERS (demo data size on first start,
//   default 240 / 72), ORDERFLOW_SSE_KEEPALIVE_MS (default 15000), ORDERFLOW_BULK_CHUNK (default 50),
//   ORDERFLOW_STATIC_DIR (the UI build to serve, default web/dist), ORDERFLOW_EXIT_WITH_PARENT=1 (exit
//   when the parent process is gone: for test harnesses).
//   ORDERFLOW_SESSION_TTL_S (session lifetime, default 43200), ORDERFLOW_MAX_SESSIONS_PER_USER (one
//   account's sessions kept, its oldest end first: default 1000), ORDERFLOW_MAX_STREAMS_PER_USER /
//   ORDERFLOW_MAX_STREAMS (open event streams per user / in total, default 10 / 200).
//   ORDERFLOW_HEADERS_TIMEOUT_MS / ORDERFLOW_REQUEST_TIMEOUT_MS / ORDERFLOW_KEEPALIVE_TIMEOUT_MS (slow
//   clients: default 10000 / 30000 / 5000), ORDERFLOW_MAX_CONNECTIONS / ORDERFLOW_MAX_CONNECTIONS_PER_ADDRESS
//   (open connections in total / from one address, default 900 / 256: keep the total under the
//   process's file-descriptor limit).
//   ORDERFLOW_IDEMPOTENCY_TTL_S / ORDERFLOW_IDEMPOTENCY_MAX_KEYS / ORDERFLOW_IDEMPOTENCY_MAX_BYTES (a key's
//   lifetime; answers and bytes of answers kept per user: default 86400 / 1000 / 16 MiB).
//   ORDERFLOW_LOGIN_MAX_FAILURES / ORDERFLOW_LOGIN_MAX_FAILURES_PER_ADDRESS / ORDERFLOW_LOGIN_LOCKOUT_S (failed
//   logins of one username from one address / from one address in 15 minutes before a lock-out of
//   that many seconds: 5 / 30 / 60). ORDERFLOW_LOGIN_SLOW_AFTER / ORDERFLOW_LOGIN_SLOW_MS (failed
//   logins of one username from all addresses in 15 minutes after which its logins take at least
//   that many ms, never refused: 100 / 2000).
//   ORDERFLOW_DB_MAX_PAGES (cap the SQLite file at this many pages, at least its current size:
//   writes past it fail as on a full disk, answered 507).
//   Test hooks: ORDERFLOW_TEST_FAIL_ORDER_IDS (comma list: a change of these orders throws after
//   writing, inside its transaction), ORDERFLOW_TEST_BULK_PAUSE_MS (pause between bulk chunks).
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createOrderFlow } from 'orderflow';
import { openStore } from './store/index.js';
import { parseRateLimit, MAX_SESSIONS_PER_USER } from './auth.js';
import { WorkflowView } from './services/orders.js';
import { seed } from './seed.js';
import { createApp } from './app.js';
import { openEventHub } from './events/index.js';
import { readExtrasConfig } from './notify/config.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const env = process.env;

function intEnv(name, def, min = 0) {
  const v = env[name];
  if (v === undefined || v === '') return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}, got "${v}"`);
  return n;
}

async function main() {
  const config = {
    port: intEnv('PORT', 3000),
    host: env.HOST || '0.0.0.0',
    dataDir: resolve(env.ORDERFLOW_DATA_DIR || join(ROOT, '.data')),
    databaseUrl: env.DATABASE_URL || null,
    posSecret: env.ORDERFLOW_POS_SECRET || 'demo-pos-secret',
    posRole: env.ORDERFLOW_POS_ROLE || 'admin',
    rateLimit: parseRateLimit(env.ORDERFLOW_RATE_LIMIT),
    busyTimeoutMs: intEnv('ORDERFLOW_BUSY_TIMEOUT_MS', 1000),
    poolSize: intEnv('ORDERFLOW_PG_POOL_SIZE', 10, 1), // PostgreSQL connections of this instance (docs/scaling.md)
    maxPages: intEnv('ORDERFLOW_DB_MAX_PAGES', 0),
    sseKeepAliveMs: intEnv('ORDERFLOW_SSE_KEEPALIVE_MS', 15000, 10),
    sessionTtlMs: intEnv('ORDERFLOW_SESSION_TTL_S', 12 * 3600, 1) * 1000,
    sessionCacheMs: intEnv('ORDERFLOW_SESSION_CACHE_MS', null), // null: the store's default (app.js)
    maxSessionsPerUser: intEnv('ORDERFLOW_MAX_SESSIONS_PER_USER', MAX_SESSIONS_PER_USER, 1), // auth.js
    maxStreamsPerUser: intEnv('ORDERFLOW_MAX_STREAMS_PER_USER', 10, 1),
    maxStreams: intEnv('ORDERFLOW_MAX_STREAMS', 200, 1),
    headersTimeoutMs: intEnv('ORDERFLOW_HEADERS_TIMEOUT_MS', 10000, 100),
    requestTimeoutMs: intEnv('ORDERFLOW_REQUEST_TIMEOUT_MS', 30000, 100),
    keepAliveTimeoutMs: intEnv('ORDERFLOW_KEEPALIVE_TIMEOUT_MS', 5000, 100),
    maxConnections: intEnv('ORDERFLOW_MAX_CONNECTIONS', 900, 1),
    maxPerAddress: intEnv('ORDERFLOW_MAX_CONNECTIONS_PER_ADDRESS', 256, 1),
    login: {
      maxPerUsernameAndAddress: intEnv('ORDERFLOW_LOGIN_MAX_FAILURES', 5, 2),
      maxPerAddress: intEnv('ORDERFLOW_LOGIN_MAX_FAILURES_PER_ADDRESS', 30, 2),
      lockoutS: intEnv('ORDERFLOW_LOGIN_LOCKOUT_S', 60, 1),
      slowAfter: intEnv('ORDERFLOW_LOGIN_SLOW_AFTER', 100, 1),
      slowMs: intEnv('ORDERFLOW_LOGIN_SLOW_MS', 2000, 0),
    },
    idempotencyTtlMs: intEnv('ORDERFLOW_IDEMPOTENCY_TTL_S', 24 * 3600, 1) * 1000,
    idempotencyMaxKeys: intEnv('ORDERFLOW_IDEMPOTENCY_MAX_KEYS', 1000, 1),
    idempotencyMaxBytes: intEnv('ORDERFLOW_IDEMPOTENCY_MAX_BYTES', 16 * 1024 * 1024, 1),
    bulkChunk: intEnv('ORDERFLOW_BULK_CHUNK', 50, 1),
    bulkPauseMs: intEnv('ORDERFLOW_TEST_BULK_PAUSE_MS', 0),
    failOrderIds: new Set((env.ORDERFLOW_TEST_FAIL_ORDER_IDS || '').split(',').filter(Boolean).map(Number)),
    staticDir: resolve(env.ORDERFLOW_STATIC_DIR || join(ROOT, 'web', 'dist')),
    seedCms: intEnv('ORDERFLOW_SEED_CMS_ORDERS', 240),
    seedDelivery: intEnv('ORDERFLOW_SEED_DELIVERY_ORDERS', 72),
    extras: readExtrasConfig(env), // notifications, audit, bulk jobs: ORDERFLOW_NOTIFY_*, ORDERFLOW_SMTP_URL, ... (notify/config.js)
  };
  if (config.port > 65535) throw new Error(`PORT must be at most 65535, got ${config.port}`);

  const flow = await createOrderFlow();
  const views = {
    cms: new WorkflowView(flow.workflow('cms'), 'cms', flow.errorCodes),
    delivery: new WorkflowView(flow.workflow('delivery'), 'delivery', flow.errorCodes),
  };
  const store = await openStore(config);
  if (!(await store.isSeeded())) await seed(store, views, { cmsOrders: config.seedCms, deliveryOrders: config.seedDelivery });

  const hub = await openEventHub({ store, config });
  const { server, closeStreams, extras } = await createApp({ store, views, config, hub });
  await new Promise((res, rej) => {
    server.once('error', rej);
    server.listen(config.port, config.host, res);
  });
  const { port } = server.address();
  extras.start(); // the notification dispatcher and the bulk-job runner, in the background
  console.log(
    `orderflow listening on http://127.0.0.1:${port}/ (bound to ${config.host}, data in ${store.kind === 'sqlite' ? config.dataDir : 'PostgreSQL'})`,
  );

  let stopping = false;
  const stop = (signal) => {
    if (stopping) return;
    stopping = true;
    console.log(`orderflow: ${signal}, closing`);
    closeStreams();
    const background = extras.stop();
    server.close(async () => {
      await background;
      await hub.close();
      await store.close();
      process.exit(0);
    });
    server.closeIdleConnections();
    setTimeout(() => {
      server.closeAllConnections();
    }, 3000).unref();
    setTimeout(() => {
      store
        .close()
        .catch(() => {
          /* closing anyway */
        })
        .finally(() => process.exit(0));
    }, 5000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // Opt-in for test harnesses: leave when the process that started us is gone (no orphans when
  // a test run is cancelled before it could stop its server).
  if (env.ORDERFLOW_EXIT_WITH_PARENT === '1') {
    const parent = process.ppid;
    setInterval(() => {
      if (process.ppid !== parent) stop('parent exited');
    }, 500).unref();
  }
}

main().catch((err) => {
  console.error(`orderflow: cannot start: ${err?.stack ?? err}`);
  process.exit(1);
});
