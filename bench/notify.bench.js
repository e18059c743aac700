// Notification benchmark (issue 13), on loopback against local sinks:
//  1. delivery throughput: BENCH_NOTIFICATIONS single changes are made while the dispatcher is
//     idle (poll interval of an hour), then the server restarts with a fast dispatcher and we time
//     how long it takes until the webhook receiver and the SMTP server have every notification;
//  2. the time a change request takes (median, p95 of BENCH_REQUESTS sequential PUTs into a notify
//     status) without a transport and with both configured: the request never waits for delivery.
//   node bench/notify.bench.js        (BENCH_NOTIFICATIONS=1000 BENCH_REQUESTS=200)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../tests/support/server.js';
import { ApiClient } from '../tests/support/client.js';
import { startWebhookSink, startSmtpSink, newWebhookSecret, waitFor } from '../tests/node/support/sinks.js';

process.env.ORDERFLOW_EXIT_WITH_PARENT = '1';
const N = Number(process.env.BENCH_NOTIFICATIONS || 1000);
const REQUESTS = Number(process.env.BENCH_REQUESTS || 200);

// Orders of the workflow's initial status and a no-guard, no-field notify target (from the document).
async function changes(admin) {
  const doc = (await admin.get('/api/v1/workflow')).body;
  const t = doc.transitions.find(
    (x) =>
      x.from === doc.initial &&
      doc.statuses.find((s) => s.id === x.to).notify &&
      x.roles.includes('admin') &&
      !(x.requires ?? []).length &&
      !(x.guards ?? []).length,
  );
  const orders = (await admin.get(`/api/v1/orders?status=${doc.initial}&per_page=5000`)).body.orders;
  return { target: t.to, orders };
}

async function makeChanges(admin, orders, target, count, concurrency = 8) {
  const times = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const o = orders[next++];
        const t0 = performance.now();
        const r = await admin.put(`/api/v1/orders/${o.id}`, { status: target, lock_version: o.lock_version });
        times.push(performance.now() - t0);
        if (r.status !== 200) throw new Error(`change failed: ${r.status} ${JSON.stringify(r.body)}`);
      }
    }),
  );
  return times;
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};

async function throughput() {
  const secret = newWebhookSecret();
  const hook = await startWebhookSink(secret);
  const smtp = await startSmtpSink();
  const dataDir = mkdtempSync(join(tmpdir(), 'orderflow-notify-bench-'));
  const transports = { ORDERFLOW_NOTIFY_WEBHOOK_URL: hook.url, ORDERFLOW_NOTIFY_WEBHOOK_SECRET: secret, ORDERFLOW_SMTP_URL: smtp.url };
  const base = { ORDERFLOW_RATE_LIMIT: 'off', ORDERFLOW_SEED_CMS_ORDERS: String(N * 6 + 60), ORDERFLOW_SEED_DELIVERY_ORDERS: '10' };
  let srv = await startServer({ dataDir, env: { ...base, ...transports, ORDERFLOW_NOTIFY_POLL_MS: '3600000' } });
  const admin = await new ApiClient(srv.url).login('admin');
  const { target, orders } = await changes(admin);
  await makeChanges(admin, orders, target, N);
  await srv.stop();
  const t0 = performance.now();
  srv = await startServer({ dataDir, env: { ...base, ...transports, ORDERFLOW_NOTIFY_POLL_MS: '10', ORDERFLOW_NOTIFY_CONCURRENCY: '16' } });
  await waitFor(() => hook.received.length >= N && smtp.messages.length >= N, 600000, 20);
  const s = (performance.now() - t0) / 1000;
  const ok = hook.received.every((r) => r.verified) && new Set(hook.received.map((r) => r.id)).size === N;
  await srv.stop();
  await hook.close();
  await smtp.close();
  rmSync(dataDir, { recursive: true, force: true });
  console.log(
    `delivery: ${N} notifications x 2 transports (webhook + SMTP) in ${s.toFixed(2)} s (incl. server start): ` +
      `${Math.round((2 * N) / s)} deliveries/s, ${Math.round(N / s)} notifications/s; signatures verified, webhook-ids distinct: ${ok}`,
  );
}

// mode: null (no transport), 200 (receivers answer at once), 'hang' (the webhook never answers).
async function latency(mode) {
  const withTransport = mode !== null;
  const secret = newWebhookSecret();
  const hook = withTransport ? await startWebhookSink(secret) : null;
  if (hook) hook.answer = mode;
  const smtp = withTransport ? await startSmtpSink() : null;
  const env = {
    ORDERFLOW_RATE_LIMIT: 'off',
    ORDERFLOW_SEED_CMS_ORDERS: String(REQUESTS * 6 + 300),
    ORDERFLOW_SEED_DELIVERY_ORDERS: '10',
    ...(withTransport
      ? { ORDERFLOW_NOTIFY_WEBHOOK_URL: hook.url, ORDERFLOW_NOTIFY_WEBHOOK_SECRET: secret, ORDERFLOW_SMTP_URL: smtp.url }
      : {}),
  };
  const srv = await startServer({ env });
  const admin = await new ApiClient(srv.url).login('admin');
  const { target, orders } = await changes(admin);
  await makeChanges(admin, orders.slice(REQUESTS), target, 20, 1); // warm-up
  const times = await makeChanges(admin, orders, target, REQUESTS, 1);
  if (mode === 200) await waitFor(() => hook.received.length >= REQUESTS + 20, 60000);
  await srv.stop();
  await hook?.close();
  await smtp?.close();
  const what = { null: 'no transport (held)', 200: 'webhook + SMTP configured', hang: 'a webhook that never answers' }[mode];
  console.log(
    `change request, ${what.padEnd(28)}: ` +
      `median ${pct(times, 0.5).toFixed(2)} ms, p95 ${pct(times, 0.95).toFixed(2)} ms (${REQUESTS} sequential PUTs)`,
  );
}

await throughput();
await latency(null);
await latency(200);
await latency('hang');
