// Server-sent event streams (`GET /api/v1/events`): who may open one, how many, and when it ends.
// A stream belongs to the session that opened it: it is closed when that session logs out or
// expires, and no event is written to it after. Streams are capped per user and in total.
// Own code, not a library: a Set of open responses and a timer each is all SSE needs on node:http.
import { createHash } from 'node:crypto';
import { WorkflowView } from '../services/orders.js';

// How a session is named between instances (events/: a logout on one ends the streams on all):
// the sha256 of its token, never the token (other database clients may LISTEN too).
export const sessionHash = (token) => createHash('sha256').update(String(token)).digest('hex');

export class EventStreams {
  // maxPerUser / maxTotal: open streams allowed; keepAliveMs: comment line interval.
  constructor({ keepAliveMs, maxPerUser, maxTotal }) {
    this.maxPerUser = maxPerUser;
    this.maxTotal = maxTotal;
    this.clients = new Set();
    this.seq = 0;
    this.keepAlive = setInterval(() => {
      for (const c of this.clients) this.send(c, ': keep-alive\n\n');
    }, keepAliveMs);
    this.keepAlive.unref();
  }

  get size() {
    return this.clients.size;
  }

  // Why a new stream for `username` may not open now: null, or {status, code, message}.
  refusal(username) {
    if (this.clients.size >= this.maxTotal) {
      return {
        status: 503,
        code: 'too_many_streams',
        message: `The server holds its maximum of ${this.maxTotal} event streams; retry later`,
      };
    }
    let mine = 0;
    for (const c of this.clients) if (c.username === username) mine += 1;
    if (mine >= this.maxPerUser) {
      return {
        status: 429,
        code: 'too_many_streams',
        message: `At most ${this.maxPerUser} event streams per user are open at once; close one (another tab?) first`,
      };
    }
    return null;
  }

  // Opens a stream on `res` for a session: {token, expiresAt} (unix ms). `visible`:
  // {workflowId: stores} (answers of WorkflowView.visibleStores) fixed for the stream's life.
  open(req, res, { username, token, expiresAt, visible }) {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write(`retry: 3000\n: connected as ${username}\n\n`);
    const client = { res, username, token, expiresAt, visible, timer: null };
    this.clients.add(client);
    // setTimeout takes at most 2^31-1 ms; a longer session is re-checked when the timer fires.
    const arm = () => {
      const left = client.expiresAt - Date.now();
      if (left <= 0) {
        this.end(client);
        return;
      }
      client.timer = setTimeout(arm, Math.min(left, 2 ** 31 - 1));
      client.timer.unref();
    };
    arm();
    // The client ending its side ends the stream: the server keeps half-open connections open to
    // answer them (app.js), so a closed EventSource would otherwise hold its slot until a write failed.
    const socket = req.socket;
    const hangUp = () => this.end(client);
    socket.once('end', hangUp);
    const drop = () => {
      clearTimeout(client.timer);
      this.clients.delete(client);
      socket.off('end', hangUp);
    };
    req.on('close', drop);
    res.on('close', drop);
    res.on('error', drop);
  }

  publish(event) {
    this.seq += 1;
    const frame = `id: ${this.seq}\nevent: order\ndata: ${JSON.stringify(event)}\n\n`;
    for (const c of this.clients) {
      const stores = c.visible[event.workflow];
      if (!stores) continue;
      if (event.store_id && !WorkflowView.canSee(stores, event.store_id)) continue;
      this.send(c, frame);
    }
  }

  // Writes to one stream unless its session has expired (then it ends instead). A client that
  // stops reading is dropped before its backlog grows past 1 MB.
  send(c, text) {
    if (c.expiresAt <= Date.now()) {
      this.end(c);
      return;
    }
    if (c.res.writableLength > 1024 * 1024) {
      this.clients.delete(c);
      clearTimeout(c.timer);
      c.res.destroy();
      return;
    }
    c.res.write(text);
  }

  end(c) {
    clearTimeout(c.timer);
    this.clients.delete(c);
    c.res.end();
  }

  // The session with this token ended (logout): its streams end now.
  endSession(token) {
    for (const c of this.clients) if (c.token === token) this.end(c);
  }

  // The same, for a session named by sessionHash() (a logout through another instance).
  endSessionByHash(hash) {
    for (const c of this.clients) if (sessionHash(c.token) === hash) this.end(c);
  }

  closeAll() {
    clearInterval(this.keepAlive);
    for (const c of this.clients) this.end(c);
  }
}
