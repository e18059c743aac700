// Local receivers for the notification tests and benchmark: an HTTP webhook receiver that
// verifies Standard Webhooks signatures with the `standardwebhooks` library, and an SMTP server
// (`smtp-server`). Both listen on 127.0.0.1, port 0.
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { SMTPServer } from 'smtp-server';

export const newWebhookSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

// mode(): 200 (default), 500, 'hang' (never answers), or a function of the request count.
export async function startWebhookSink(secret) {
  const verifier = new Webhook(secret);
  const sink = {
    received: [], // every request: {id, timestamp, verified, body, status}
    answer: 200,
    waiters: [],
    delivered() {
      return this.received.filter((r) => r.status === 200);
    },
    // Resolves once `pred(received)` holds (checked on every request), or rejects after ms.
    until(pred, ms = 15000) {
      if (pred(this.received)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const w = { pred, resolve };
        this.waiters.push(w);
        setTimeout(() => reject(new Error(`webhook sink: condition not met in ${ms} ms (${this.received.length} requests)`)), ms).unref();
      });
    },
  };
  const hung = new Set();
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let verified;
      try {
        verifier.verify(raw, req.headers);
        verified = true;
      } catch {
        verified = false;
      }
      const status = sink.answer;
      const entry = { id: req.headers['webhook-id'], timestamp: req.headers['webhook-timestamp'], verified, body: JSON.parse(raw), status };
      sink.received.push(entry);
      if (status === 'hang') {
        hung.add(res);
      } else {
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end(String(status));
      }
      for (const w of [...sink.waiters])
        if (w.pred(sink.received)) {
          sink.waiters.splice(sink.waiters.indexOf(w), 1);
          w.resolve();
        }
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  sink.url = `http://127.0.0.1:${server.address().port}/hook`;
  sink.close = () =>
    new Promise((r) => {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      server.close(r);
    });
  return sink;
}

export async function startSmtpSink() {
  const sink = { messages: [] };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks = [];
      stream.on('data', (c) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const header = raw.split(/\r?\n\r?\n/)[0];
        // Unfold folded header lines, then read the subject (nodemailer encodes non-ASCII; ours is ASCII).
        const subject = /^Subject: (.*)$/im.exec(header.replace(/\r?\n[ \t]+/g, ' '))?.[1] ?? null;
        sink.messages.push({ from: session.envelope.mailFrom?.address, to: session.envelope.rcptTo.map((r) => r.address), subject, raw });
        callback();
      });
    },
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  sink.url = `smtp://127.0.0.1:${server.server.address().port}`;
  sink.close = () => new Promise((r) => server.close(r));
  return sink;
}

export async function waitFor(fn, ms = 15000, every = 50) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`condition not met in ${ms} ms`);
    await new Promise((r) => setTimeout(r, every));
  }
}
