// The notification dispatcher: sends what the outbox holds, in the background, never inside the
// request that made the change. State lives in the database only (notification_deliveries), so
// deliveries survive a restart or kill -9; a row is leased before it is sent (see store.js for
// why the claim is safe with several processes on one database).
//
// Retries: network errors, timeouts and retryable answers (5xx, 408, 429, SMTP 4xx) are tried
// again after an exponential delay with jitter: base * 2^(attempt-1), capped, of which a random
// half is dropped ("equal jitter", so retries of many deliveries spread out but never come
// sooner than half the delay). After maxAttempts, or on a permanent refusal, the delivery is
// `failed` with its last error, and kept: an admin may retry it.
import { randomBytes } from 'node:crypto';
import { CHANNEL_NONE } from '../store/channels.js';
import { createWebhookTransport } from './webhook.js';
import { createMailTransport } from './mail.js';

export function backoffMs(attempt, baseMs, maxMs, random = Math.random) {
  const full = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(full / 2 + random() * (full / 2));
}

export class Dispatcher {
  // store: the server's store (store/); its `deliveries` area holds the outbox.
  constructor({ store, views, config, log = console }) {
    this.config = config;
    this.views = views;
    this.log = log;
    this.store = store.deliveries;
    this.owner = `${process.pid}-${randomBytes(6).toString('hex')}`;
    this.transports = new Map();
    if (config.webhook) this.transports.set('webhook', createWebhookTransport({ ...config.webhook, timeoutMs: config.timeoutMs }, views));
    if (config.smtp) this.transports.set('email', createMailTransport({ ...config.smtp, timeoutMs: config.timeoutMs }, views));
    this.channels = this.transports.size ? [...this.transports.keys()] : [CHANNEL_NONE];
    this.inFlight = new Set();
    this.timer = null;
    this.ticks = 0;
    this.lastErrorLog = 0;
  }

  get configured() {
    return this.transports.size > 0;
  }

  start() {
    if (this.timer) return this;
    const loop = () => {
      this.timer = setTimeout(() => {
        this.tick();
        loop();
      }, this.config.pollMs);
      this.timer.unref();
    };
    this.tick();
    loop();
    return this;
  }

  // A bulk request finished writing its batched notification: hand it over now.
  async closeBatch(notificationId) {
    try {
      await this.store.closeBatch(notificationId, this.channels);
    } catch (e) {
      // Not fatal: the batch is picked up by age (batchCloseMs) on a later tick.
      this.warn('closing a batch failed', e);
    }
  }

  async tick() {
    if (this.ticking) return; // the previous tick is still waiting for the store
    this.ticking = true;
    this.ticks += 1;
    const now = Date.now();
    try {
      if (this.ticks % 240 === 0) await this.store.rescan();
      // Batches left open by a process that died are looked for every 40th tick only.
      const cutoff = this.ticks % 40 === 1 ? new Date(now - this.config.batchCloseMs).toISOString() : null;
      await this.store.materialize(this.channels, now, cutoff);
      if (!this.configured) return;
      const room = this.config.concurrency - this.inFlight.size;
      if (room <= 0) return;
      for (const d of await this.store.claim(this.owner, now, this.config.leaseMs, room)) {
        const p = this.deliver(d).finally(() => this.inFlight.delete(p));
        this.inFlight.add(p);
      }
    } catch (e) {
      this.warn('dispatcher tick failed (will try again)', e);
    } finally {
      this.ticking = false;
    }
  }

  async deliver(d) {
    const transport = this.transports.get(d.channel);
    let error;
    let retryable = true;
    try {
      if (!transport) throw Object.assign(new Error(`no ${d.channel} transport is configured now`), { retryable: true });
      const content = await this.store.content(d.notification_id);
      if (!content || content.items.length === 0) throw Object.assign(new Error('the notification has no orders'), { retryable: false });
      await transport.send(d, content);
    } catch (e) {
      error = e?.message ?? String(e);
      retryable = e?.retryable !== false;
    }
    try {
      if (error === undefined) await this.store.markSent(d.id, this.owner);
      else if (!retryable || d.attempts >= this.config.maxAttempts)
        await this.store.markFailed(d.id, this.owner, `attempt ${d.attempts}: ${error}`);
      else
        await this.store.markRetry(
          d.id,
          this.owner,
          Date.now() + backoffMs(d.attempts, this.config.retryBaseMs, this.config.retryMaxMs),
          `attempt ${d.attempts}: ${error}`,
        );
    } catch (e) {
      // The outcome could not be written (database locked or full): the lease expires and the
      // delivery is attempted again, with the same webhook-id.
      this.warn('recording a delivery outcome failed', e);
    }
  }

  // Stop claiming; wait a little for deliveries under way (their leases expire anyway).
  async stop(waitMs = 2000) {
    clearTimeout(this.timer);
    this.timer = null;
    if (this.inFlight.size) await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((r) => setTimeout(r, waitMs).unref())]);
    for (const t of this.transports.values()) t.close();
  }

  warn(what, e) {
    const now = Date.now();
    if (now - this.lastErrorLog < 10000) return; // a locked database would otherwise log 4 times a second
    this.lastErrorLog = now;
    this.log.error(`orderflow notify: ${what}: ${e?.message ?? e}`);
  }
}
