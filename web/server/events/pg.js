// Order events across server instances on one PostgreSQL database, through LISTEN/NOTIFY: the
// same interface as the in-process hub (events/index.js: publish(event), subscribe(fn) ->
// unsubscribe, close()), so the SSE streams of every instance see a change made through any of
// them.
//
// - publish(event) delivers to this instance's subscribers at once (no round trip for the local
//   streams) and queues it for NOTIFY; the queue is sent once per event-loop turn, packed into as
//   few NOTIFYs as fit PostgreSQL's 8000-byte payload limit (a bulk of 500 changes is a handful of
//   NOTIFYs, not 500). An event too large for one payload is stored in `event_payloads` and
//   only its row id travels; receivers read it back.
// - One dedicated connection (not a pool's: LISTEN belongs to a session) listens; when it drops
//   it is opened again with a growing delay. Events other instances publish during the gap are
//   missed, as they are by a browser whose own SSE connection drops; they are hints to re-read,
//   the orders themselves are always read from the database.
// - Each instance tags its NOTIFYs with a random origin id and ignores its own when they come back.
// - The database speaks on the same channel (origin "db"): {type: 'sessions_stale'} when a user or
//   session was updated or deleted by anyone (store/postgres/schema.js's triggers), and this hub
//   says the same itself after its connection was lost and made again.
// Own code rather than a library: LISTEN, NOTIFY and a reconnect loop on node-postgres are the
// whole of it (pg-listen adds the same on an older driver API).
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { PG_EVENTS_CHANNEL } from '../store/postgres/schema.js';

const MAX_PAYLOAD = 7900; // bytes; PostgreSQL's limit is 8000 including the channel name
const OVERFLOW_TTL_MS = 60000;

export function createPgEvents({
  connectionString,
  pool,
  channel = PG_EVENTS_CHANNEL,
  log = console,
  reconnectMs = [100, 500, 1000, 2000, 5000],
}) {
  const origin = randomBytes(6).toString('hex');
  const subscribers = new Set();
  let queue = [];
  let flushing = null;
  let scheduled = false;
  let listener = null;
  let closed = false;
  let attempt = 0;
  let reconnectTimer = null;
  let listenedBefore = false;
  let readyResolve;
  const ready = new Promise((r) => {
    readyResolve = r;
  });

  const deliver = (event) => {
    for (const fn of subscribers) {
      try {
        fn(event);
      } catch (e) {
        log.error(`orderflow events: a subscriber failed: ${e?.message ?? e}`);
      }
    }
  };

  async function onNotification(msg) {
    if (msg.channel !== channel || !msg.payload) return;
    let m;
    try {
      m = JSON.parse(msg.payload);
    } catch {
      return;
    }
    if (!m || m.o === origin) return;
    let events = m.e;
    if (m.ref !== undefined) {
      try {
        const { rows } = await pool.query('SELECT payload FROM event_payloads WHERE id = $1', [m.ref]);
        events = rows.length ? JSON.parse(rows[0].payload) : [];
      } catch (e) {
        log.error(`orderflow events: could not read stored event ${m.ref}: ${e?.message ?? e}`);
        return;
      }
    }
    if (Array.isArray(events)) for (const ev of events) deliver(ev);
  }

  async function connect() {
    if (closed) return;
    const client = new pg.Client({ connectionString, application_name: 'orderflow-listen' });
    let failed = false;
    // Called once per client, whichever comes first: 'error', 'end', or a failed connect/LISTEN.
    const retry = (err) => {
      if (failed) return;
      failed = true;
      if (listener === client) listener = null;
      client.removeAllListeners();
      client.on('error', () => {});
      client.end().catch(() => {});
      if (closed) return;
      const delay = reconnectMs[Math.min(attempt, reconnectMs.length - 1)];
      attempt += 1;
      if (err) log.error(`orderflow events: the LISTEN connection failed (${err.code ?? ''} ${err.message}); again in ${delay} ms`);
      reconnectTimer = setTimeout(connect, delay);
      reconnectTimer.unref();
    };
    client.on('error', retry);
    client.on('end', () => retry(new Error('connection ended')));
    client.on('notification', (msg) => {
      onNotification(msg);
    });
    listener = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      attempt = 0;
      // Whatever the database said while no connection listened is lost: among it, perhaps, that a
      // user or session changed (schema.js's triggers). Sessions taken as they were are read again.
      if (listenedBefore) deliver({ type: 'sessions_stale' });
      listenedBefore = true;
      readyResolve();
    } catch (e) {
      retry(e);
    }
  }

  // Packs the queued events into payloads of at most MAX_PAYLOAD bytes, in order.
  function pack(events) {
    const out = [];
    let cur = [];
    let size = 0;
    const overhead = Buffer.byteLength(JSON.stringify({ o: origin, e: [] }));
    for (const ev of events) {
      const text = JSON.stringify(ev);
      const n = Buffer.byteLength(text) + 1;
      if (overhead + n > MAX_PAYLOAD) {
        // alone too large: goes by reference
        if (cur.length) {
          out.push({ events: cur });
          cur = [];
          size = 0;
        }
        out.push({ big: [ev] });
        continue;
      }
      if (overhead + size + n > MAX_PAYLOAD) {
        out.push({ events: cur });
        cur = [];
        size = 0;
      }
      cur.push(ev);
      size += n;
    }
    if (cur.length) out.push({ events: cur });
    return out;
  }

  async function flush() {
    scheduled = false;
    const events = queue;
    queue = [];
    const client = await pool.connect();
    try {
      // One connection for the whole queue: NOTIFYs of one session arrive in the order sent.
      for (const part of pack(events)) {
        let payload;
        if (part.big) {
          const now = Date.now();
          await client.query('DELETE FROM event_payloads WHERE created_at < $1', [now - OVERFLOW_TTL_MS]);
          const { rows } = await client.query('INSERT INTO event_payloads (payload, created_at) VALUES ($1, $2) RETURNING id', [
            JSON.stringify(part.big),
            now,
          ]);
          payload = JSON.stringify({ o: origin, ref: rows[0].id });
        } else {
          payload = JSON.stringify({ o: origin, e: part.events });
        }
        await client.query('SELECT pg_notify($1, $2)', [channel, payload]);
      }
    } finally {
      client.release();
    }
  }

  function schedule() {
    if (scheduled || closed) return;
    scheduled = true;
    setImmediate(() => {
      // One flush at a time, so the order of NOTIFYs is the order of publish() calls.
      flushing = (flushing ?? Promise.resolve()).then(flush).catch((e) => {
        log.error(`orderflow events: ${e?.message ?? e}; other instances missed some events`);
      });
    });
  }

  connect();

  return {
    origin,
    // The database's own changes of users and sessions arrive here too ({type: 'sessions_stale'}).
    databaseEvents: true,
    // Resolves once the LISTEN connection is up (the first time).
    ready,
    publish(event) {
      deliver(event);
      queue.push(event);
      schedule();
    },
    subscribe(fn) {
      subscribers.add(fn);
      return () => subscribers.delete(fn);
    },
    // Sends what is queued, then stops listening.
    async close() {
      if (queue.length) {
        scheduled = true;
        flushing = (flushing ?? Promise.resolve()).then(flush).catch(() => {});
      }
      await flushing;
      closed = true;
      clearTimeout(reconnectTimer);
      const c = listener;
      listener = null;
      if (c) {
        c.removeAllListeners();
        c.on('error', () => {});
        await c.end().catch(() => {});
      }
    },
  };
}

// The hub events/index.js opens on a PostgreSQL store (openEventHub): listening before it is
// returned, so this instance misses no change another makes once it answers requests.
export async function createPgHub({ store, config, log = console }) {
  const hub = createPgEvents({ connectionString: config.databaseUrl, pool: store.pool, log });
  await hub.ready;
  return hub;
}
