// Delivery of customer notifications (issue 13): the dispatcher sends the outbox to a local
// webhook receiver (signature verified with `standardwebhooks`) and a local SMTP server; retries
// with the same webhook-id; failed after bounded attempts, retried by an admin; a bulk yields one
// batched notification; deliveries pending when the server is killed (SIGKILL) arrive after a restart.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../support/server.js';
import { ApiClient } from '../support/client.js';
import { startWebhookSink, startSmtpSink, newWebhookSecret, waitFor } from './support/sinks.js';

process.env.ORDERFLOW_EXIT_WITH_PARENT = '1';

const FAST = {
  ORDERFLOW_NOTIFY_RETRY_BASE_MS: '100',
  ORDERFLOW_NOTIFY_POLL_MS: '30',
  ORDERFLOW_NOTIFY_MAX_ATTEMPTS: '4',
  ORDERFLOW_RATE_LIMIT: 'off',
};

// An order of `status` (all items in stock) and a transition from it, read from the workflow document, into a status
// the workflow marks `notify`, open to admins, with no required field and no guard.
async function notifyChange(client, doc, status, skip = new Set()) {
  const t = doc.transitions.find(
    (x) =>
      x.from === status &&
      doc.statuses.find((s) => s.id === x.to).notify &&
      x.roles.includes('admin') &&
      !(x.requires ?? []).length &&
      !(x.guards ?? []).length,
  );
  const { body } = await client.get(`/api/v1/orders?status=${status}&per_page=5000`);
  // every item in stock: stock is shared by both workflows, and the server refuses a move that
  // would reserve or take more than is on hand (422 insufficient_stock), which is not this test's subject
  const order = body.orders.find((o) => !skip.has(o.id) && o.items.every((i) => i.in_stock));
  if (!t || !order) throw new Error(`no ${status} order with a notify target`);
  return { order, target: t.to };
}

const notificationOf = (sink, id) => sink.received.filter((r) => r.body.data.notification_id === id);

describe('notification delivery to a webhook and by e-mail', () => {
  let srv;
  let hook;
  let smtp;
  let admin;
  let doc;
  const used = new Set();
  const label = (id) => doc.statuses.find((s) => s.id === id).label;

  async function change(status = 'new') {
    const { order, target } = await notifyChange(admin, doc, status, used);
    used.add(order.id);
    const r = await admin.put(`/api/v1/orders/${order.id}`, { status: target, lock_version: order.lock_version });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const h = await admin.get(`/api/v1/orders/${order.id}/history`);
    const entry = h.body.history.find((e) => e.lock_version === r.body.order.lock_version);
    assert.ok(entry.notification, 'the change queued a notification');
    return { order, target, notificationId: entry.notification.id };
  }

  before(async () => {
    const secret = newWebhookSecret();
    hook = await startWebhookSink(secret);
    smtp = await startSmtpSink();
    srv = await startServer({
      env: {
        ...FAST,
        ORDERFLOW_SEED_CMS_ORDERS: '600',
        ORDERFLOW_NOTIFY_WEBHOOK_URL: hook.url,
        ORDERFLOW_NOTIFY_WEBHOOK_SECRET: secret,
        ORDERFLOW_SMTP_URL: smtp.url,
        ORDERFLOW_NOTIFY_EMAIL_TO: 'relay@example.test',
      },
    });
    admin = await new ApiClient(srv.url).login('admin');
    doc = (await admin.get('/api/v1/workflow')).body;
  });
  after(async () => {
    await srv?.stop();
    await hook?.close();
    await smtp?.close();
  });

  test('a change into a notify status reaches the webhook, signed, and the SMTP server', async () => {
    const { order, target, notificationId } = await change();
    await hook.until((rs) => rs.some((r) => r.body.data.notification_id === notificationId && r.status === 200));
    const [got] = notificationOf(hook, notificationId);
    assert.equal(got.verified, true, 'the Standard Webhooks signature verifies with the shared secret');
    assert.equal(got.body.type, 'order.status_changed');
    assert.deepEqual(
      got.body.data.orders.map((o) => [o.id, o.status, o.status_label]),
      [[order.id, target, label(target)]],
    );
    const mail = await waitFor(() => smtp.messages.find((m) => m.raw.includes(`X-Orderflow-Notification: ${notificationId}`)));
    assert.deepEqual(mail.to, ['relay@example.test']);
    assert.match(mail.subject, new RegExp(`#${order.id}\\b.*${label(target)}`), 'the subject names the order and its new status');
    const n = await waitFor(async () => {
      const r = await admin.get(`/api/v1/notifications/${notificationId}`);
      return r.body.notification.state === 'sent' && r.body.notification;
    });
    assert.equal(n.deliveries.find((d) => d.channel === 'webhook').webhook_id, got.id);
    const h = await admin.get(`/api/v1/orders/${order.id}/history`);
    assert.equal(h.body.history.at(-1).customer_notified, true, 'the history says the customer was notified of this change');
    assert.equal(h.body.history[0].customer_notified, false);
    const listed = await admin.get('/api/v1/notifications?state=sent');
    assert.ok(listed.body.notifications.some((x) => x.id === notificationId));
  });

  test('a delivery-workflow change is sent with that workflow and its labels', async () => {
    const ddoc = (await admin.get('/api/workflow')).body;
    const { order, target } = await notifyChange(
      {
        get: async (path) => {
          const r = await admin.get(path.replace('/api/v1/orders', '/api/orders'));
          return { body: { orders: r.body.data } };
        },
      },
      ddoc,
      ddoc.initial,
    );
    const r = await admin.put(`/api/orders/${order.id}/status`, { status: target });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    await hook.until((rs) =>
      rs.some((x) => x.body.data.workflow === 'delivery' && x.body.data.orders[0].id === order.id && x.status === 200),
    );
    const got = hook.received.find((x) => x.body.data.workflow === 'delivery' && x.body.data.orders[0].id === order.id);
    assert.equal(got.verified, true);
    assert.equal(got.body.data.workflow_name, ddoc.name);
    assert.equal(got.body.data.orders[0].status_label, ddoc.statuses.find((s) => s.id === target).label);
    const h = await admin.get(`/api/orders/${order.id}/history`);
    await waitFor(async () => (await admin.get(`/api/orders/${order.id}/history`)).body.data.at(-1).customer_notified === true);
    assert.ok(h.body.data.at(-1).notification);
    const listed = await admin.get('/api/v1/notifications?workflow=delivery');
    assert.ok(listed.body.notifications.length >= 1 && listed.body.notifications.every((n) => n.workflow === 'delivery'));
  });

  test('a bulk update of 100 orders yields one batched notification listing them', async () => {
    const ids = [];
    for (const s of doc.statuses.filter((x) => !x.terminal).map((x) => x.id)) {
      const { body } = await admin.get(`/api/v1/orders?status=${s}&per_page=500`);
      ids.push(...body.orders.map((o) => o.id).filter((id) => !used.has(id)));
    }
    // A notify target without required fields or guards that every non-terminal status may take (checked below: all 100 succeed).
    const open = doc.statuses.filter((x) => !x.terminal).map((x) => x.id);
    const target = doc.statuses.find(
      (s) =>
        s.notify &&
        open.every((from) =>
          doc.transitions.some(
            (t) => t.from === from && t.to === s.id && !(t.requires ?? []).length && !(t.guards ?? []).length && t.roles.includes('admin'),
          ),
        ),
    ).id;
    const batch = ids.reverse().slice(0, 100); // from the later statuses: the single-change tests use the first
    batch.forEach((id) => used.add(id));
    const r = await admin.post('/api/v1/orders/bulk_update', { order_ids: batch, status: target });
    assert.equal(r.status, 200);
    assert.equal(r.body.succeeded, 100, JSON.stringify(r.body.results.find((x) => !x.ok)));
    const nid = r.body.notification_id;
    await hook.until((rs) => rs.some((x) => x.body.data.notification_id === nid && x.status === 200));
    await waitFor(() => smtp.messages.some((m) => m.raw.includes(`X-Orderflow-Notification: ${nid}`)));
    await new Promise((res) => setTimeout(res, 300)); // nothing else arrives for this bulk
    const webhooks = hook.received.filter((x) => x.body.data.orders.some((o) => batch.includes(o.id)));
    assert.equal(webhooks.length, 1, 'one webhook for the whole bulk');
    assert.equal(webhooks[0].body.type, 'orders.status_changed');
    assert.deepEqual(
      webhooks[0].body.data.orders.map((o) => o.id).sort((x, y) => x - y),
      [...batch].sort((x, y) => x - y),
    );
    const mails = smtp.messages.filter((m) => m.raw.includes(`X-Orderflow-Notification: ${nid}`));
    assert.equal(mails.length, 1, 'one e-mail for the whole bulk');
    assert.match(mails[0].subject, /100 orders/);
  });

  test('a receiver answering 500 for a while gets the notification once it recovers, with the same webhook-id', async () => {
    hook.answer = 500;
    const { notificationId } = await change();
    await hook.until((rs) => rs.filter((x) => x.body.data.notification_id === notificationId).length >= 2);
    const pending = (await admin.get(`/api/v1/notifications/${notificationId}`)).body.notification;
    const wh = pending.deliveries.find((d) => d.channel === 'webhook');
    assert.equal(wh.state, 'pending');
    assert.ok(wh.attempts >= 2);
    assert.match(wh.last_error, /HTTP 500/);
    hook.answer = 200;
    await hook.until((rs) => rs.some((x) => x.body.data.notification_id === notificationId && x.status === 200));
    const attempts = notificationOf(hook, notificationId);
    assert.ok(attempts.length >= 3);
    assert.equal(new Set(attempts.map((x) => x.id)).size, 1, 'every attempt carries the same webhook-id');
    assert.ok(attempts.every((x) => x.verified));
    await waitFor(async () => (await admin.get(`/api/v1/notifications/${notificationId}`)).body.notification.state === 'sent');
  });

  test('after the bounded attempts a delivery is failed with its last error, kept, and an admin may retry it', async () => {
    hook.answer = 503;
    const { notificationId } = await change();
    const failed = await waitFor(async () => {
      const r = await admin.get('/api/v1/notifications?state=failed');
      return r.body.notifications.find((x) => x.id === notificationId);
    });
    assert.equal(notificationOf(hook, notificationId).length, 4, 'ORDERFLOW_NOTIFY_MAX_ATTEMPTS attempts, no more');
    assert.equal(failed.attempts, 4);
    assert.match(failed.last_error, /HTTP 503/);
    const manager = await new ApiClient(srv.url).login('manager');
    assert.equal((await manager.get('/api/v1/notifications')).status, 403, 'admin only');
    assert.equal((await manager.post(`/api/v1/notifications/${notificationId}/retry`, {})).status, 403);
    hook.answer = 200;
    const retry = await admin.post(`/api/v1/notifications/${notificationId}/retry`, {});
    assert.equal(retry.status, 202);
    await waitFor(async () => (await admin.get(`/api/v1/notifications/${notificationId}`)).body.notification.state === 'sent');
    assert.equal(new Set(notificationOf(hook, notificationId).map((x) => x.id)).size, 1);
    const again = await admin.post(`/api/v1/notifications/${notificationId}/retry`, {});
    assert.equal(again.status, 409, 'a sent notification is not sent again');
  });
});

describe('pending deliveries survive kill -9', () => {
  let hook;
  let dataDir;
  let srv;
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'orderflow-notify-kill-'));
  });
  after(async () => {
    await srv?.stop();
    await hook?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('deliveries in flight and queued when the server is killed are delivered after the restart, with their webhook-ids', async () => {
    const secret = newWebhookSecret();
    hook = await startWebhookSink(secret);
    hook.answer = 'hang'; // the receiver takes them and never answers: the server dies mid-delivery
    const env = {
      ...FAST,
      ORDERFLOW_NOTIFY_WEBHOOK_URL: hook.url,
      ORDERFLOW_NOTIFY_WEBHOOK_SECRET: secret,
      ORDERFLOW_NOTIFY_LEASE_MS: '1500',
      ORDERFLOW_NOTIFY_CONCURRENCY: '2',
      ORDERFLOW_NOTIFY_TIMEOUT_MS: '60000',
    };
    srv = await startServer({ dataDir, env });
    const admin = await new ApiClient(srv.url).login('admin');
    const doc = (await admin.get('/api/v1/workflow')).body;
    const notificationIds = [];
    const used = new Set();
    for (let i = 0; i < 4; i++) {
      const { order, target } = await notifyChange(admin, doc, 'new', used);
      used.add(order.id);
      const r = await admin.put(`/api/v1/orders/${order.id}`, { status: target, lock_version: order.lock_version });
      assert.equal(r.status, 200);
      const h = await admin.get(`/api/v1/orders/${order.id}/history`);
      notificationIds.push(h.body.history.at(-1).notification.id);
    }
    await hook.until((rs) => rs.length >= 2); // two in flight (concurrency 2), two still queued
    const inFlight = new Map(hook.received.map((r) => [r.body.data.notification_id, r.id]));
    srv.process.kill('SIGKILL');
    await srv.stop();
    hook.answer = 200;
    srv = await startServer({ dataDir, env });
    try {
      await hook.until(
        (rs) => notificationIds.every((id) => rs.some((r) => r.body.data.notification_id === id && r.status === 200)),
        20000,
      );
      for (const [id, webhookId] of inFlight) {
        const ok = hook.received.find((r) => r.body.data.notification_id === id && r.status === 200);
        assert.equal(ok.id, webhookId, 'the attempt after the restart carries the webhook-id of the one cut off');
      }
      const admin2 = await new ApiClient(srv.url).login('admin');
      for (const id of notificationIds) {
        await waitFor(async () => (await admin2.get(`/api/v1/notifications/${id}`)).body.notification.state === 'sent');
      }
      const distinct = new Set(hook.received.filter((r) => r.status === 200).map((r) => r.id));
      assert.equal(distinct.size, notificationIds.length, 'a receiver de-duplicating by webhook-id sees each notification once');
    } finally {
      await srv.stop();
    }
  });
});
