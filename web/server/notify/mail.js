// E-mail transport: one message per notification over SMTP (nodemailer), to the configured
// address. Orders carry no customer e-mail address in this schema, so the message goes to
// ORDERFLOW_NOTIFY_EMAIL_TO (a relay or customer-service mailbox that fans it out).
import nodemailer from 'nodemailer';
import { mailMessage } from './message.js';
import { DeliveryError } from './transport-error.js';

export function createMailTransport({ url, from, to, timeoutMs }, views) {
  // A small pool of SMTP connections, reused across messages (one connection per message
  // would cost a TCP + SMTP handshake each).
  const transporter = nodemailer.createTransport({
    url,
    pool: true,
    maxConnections: 4,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  return {
    channel: 'email',
    async send(delivery, content) {
      const { subject, text } = mailMessage(content, views);
      try {
        await transporter.sendMail({
          from,
          to,
          subject,
          text,
          messageId: `<${delivery.message_id}@orderflow>`, // stable across attempts, like webhook-id
          headers: { 'X-Orderflow-Notification': String(content.id) },
        });
      } catch (e) {
        // SMTP 5xx is a permanent refusal; 4xx, connection errors and timeouts may pass later.
        const code = Number(e?.responseCode);
        throw new DeliveryError(`email: ${e?.code ?? ''} ${e?.message ?? e}`.trim().slice(0, 400), {
          retryable: !(code >= 500 && code < 600),
        });
      }
    },
    close() {
      transporter.close();
    },
  };
}
