// Webhook transport: POST the notification as JSON, signed as the Standard Webhooks specification
// says (webhook-id, webhook-timestamp, webhook-signature = v1,<base64 HMAC-SHA256 of
// "id.timestamp.body">), using the specification's own library `standardwebhooks`.
import { Webhook } from 'standardwebhooks';
import { webhookPayload } from './message.js';
import { DeliveryError } from './transport-error.js';

export function createWebhookTransport({ url, secret, timeoutMs }, views) {
  const signer = new Webhook(secret); // throws at start for a secret that is not base64 ("whsec_...")
  return {
    channel: 'webhook',
    async send(delivery, content) {
      const body = JSON.stringify(webhookPayload(content, views));
      const now = new Date();
      const headers = {
        'content-type': 'application/json',
        'user-agent': 'orderflow-notify',
        'webhook-id': delivery.message_id, // the same on every attempt: receivers de-duplicate by it
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': signer.sign(delivery.message_id, now, body),
      };
      let res;
      try {
        res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
      } catch (e) {
        const why =
          e?.name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : (e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(e));
        throw new DeliveryError(`webhook: ${why}`, { retryable: true });
      }
      // The answer's body is not needed; read it so the connection can be reused.
      await res.arrayBuffer().catch(() => {});
      if (res.status >= 200 && res.status < 300) return;
      const retryable = res.status >= 500 || res.status === 408 || res.status === 429;
      throw new DeliveryError(`webhook: HTTP ${res.status}`, { retryable });
    },
    close() {},
  };
}
