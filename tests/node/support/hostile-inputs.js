// Building blocks of the hostile-input table (tests/node/hostile.test.js): payloads that are
// awkward to write inline (raw bytes, megabyte strings, deep nesting), a raw HTTP client that
// sends exactly the bytes and path it is given (fetch would normalise "/../" and re-encode), a
// fingerprint of everything the server stores, and the assertions every entry shares.
import http from 'node:http';
import net from 'node:net';
import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import { withStoreDb } from '../../support/store-db.js';

export const MB = 1024 * 1024;

/** JSON text nested `depth` arrays deep: `[[[...]]]`. */
export const deepArrayText = (depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

/** The same as a JS value (built iteratively; JSON.parse of the text would do the same). */
export function deepArray(depth) {
  let v = [];
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

/** An object with `n` keys k0..k(n-1), none of them a field of any workflow. */
export function manyKeys(n) {
  const o = {};
  for (let i = 0; i < n; i++) o[`k${i}`] = 1;
  return o;
}

/** A JSON body as bytes, with `bytes` spliced in place of the marker string `@@`. */
export function bodyWithBytes(text, bytes) {
  const [a, b] = text.split('@@');
  return Buffer.concat([Buffer.from(a, 'utf8'), Buffer.from(bytes), Buffer.from(b, 'utf8')]);
}

/**
 * One HTTP request over node:http, path sent byte for byte. `body`: an object (sent as JSON),
 * a string or a Buffer (sent as is). Answers {status, headers, text, body (parsed JSON or
 * undefined)}.
 */
export function send(baseUrl, { method = 'GET', path, headers = {}, body, json }) {
  const u = new URL(baseUrl);
  let payload;
  if (json !== undefined) payload = Buffer.from(JSON.stringify(json));
  else if (typeof body === 'string') payload = Buffer.from(body, 'utf8');
  else if (body !== undefined) payload = body;
  const h = { ...headers };
  if (payload !== undefined) {
    if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['Content-Type'] = 'application/json';
    h['Content-Length'] = payload.length;
  }
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, method, path, headers: h, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          parsed = undefined;
        }
        resolve({ status: res.statusCode, headers: res.headers, text, body: parsed });
      });
      res.on('error', reject);
    });
    // A server that answers 413 early may close before the whole body is written.
    req.on('error', (e) => (e.code === 'EPIPE' || e.code === 'ECONNRESET' ? null : reject(e)));
    req.end(payload);
  });
}

const STORED = ['orders', 'order_items', 'history', 'inventory', 'notifications', 'notification_items'];

/**
 * What the server stores, read from its database (SQLite file or PostgreSQL, read-only): a digest
 * of every row of the business tables, the number of sessions, and one order's state.
 * `target`: the server (tests/support/server.js). Rows are hashed in sorted order, so the digest
 * does not depend on the store's row order.
 */
export async function snapshot(target, orderId) {
  return withStoreDb(target, async (db) => {
    const hash = createHash('sha256');
    const counts = {};
    for (const table of STORED) {
      const rows = (await db.all(`SELECT * FROM ${table}`)).map((r) => JSON.stringify(Object.values(r))).sort();
      counts[table] = rows.length;
      hash.update(`${table}\n`);
      for (const r of rows) hash.update(`${r}\n`);
    }
    counts.sessions = (await db.get('SELECT COUNT(*) AS n FROM sessions')).n;
    const order =
      orderId === undefined
        ? null
        : {
            ...(await db.get('SELECT status, lock_version, tracking_number FROM orders WHERE id = ?', orderId)),
            history: (await db.get('SELECT COUNT(*) AS n FROM history WHERE order_id = ?', orderId)).n,
          };
    return { digest: hash.digest('hex'), counts, order };
  });
}

/** Raw bytes (upper-case hex) and text of one order's last history notes (to see exactly what was stored). */
export async function storedNotes(target, orderId) {
  return withStoreDb(target, async (db) => {
    const hex = db.kind === 'postgres' ? "upper(encode(convert_to(notes, 'UTF8'), 'hex'))" : 'hex(notes)';
    const r = await db.get(`SELECT ${hex} AS hex, notes FROM history WHERE order_id = ? ORDER BY lock_version DESC LIMIT 1`, orderId);
    return { hex: r.hex, text: r.notes };
  });
}

// ---- shared assertions -------------------------------------------------------------------------

/** A short, plain message: not empty, no megabyte echo, no stack trace. */
export function assertClearMessage(message, what) {
  assert.equal(typeof message, 'string', `${what}: message is a string`);
  assert.ok(message.length > 0 && message.length <= 600, `${what}: message of ${message.length} characters`);
  assert.doesNotMatch(message, /\n\s+at |node:internal|\.js:\d+/, `${what}: no stack trace in the message`);
}

/** An engine refusal: ok false, an error with `code` (and `field`), every message clear. */
export function assertRefused(result, code, field) {
  assert.equal(result.ok, false, `refused: ${JSON.stringify(result).slice(0, 300)}`);
  assert.ok(Array.isArray(result.errors) && result.errors.length > 0);
  assert.ok(
    result.errors.some((e) => e.code === code && (field === undefined || e.field === field)),
    `expected ${code}${field ? ` on ${field}` : ''}, got ${JSON.stringify(result.errors).slice(0, 400)}`,
  );
  for (const e of result.errors) assertClearMessage(e.message, e.code);
}

/** A TypeError (not a crash, not a bare number) whose message matches `re`. */
export function assertTypeError(fn, re) {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof TypeError, `a TypeError, got ${e && e.constructor && e.constructor.name}: ${e}`);
    assert.match(e.message, re);
    assertClearMessage(e.message, 'TypeError');
    return true;
  });
}

/** The dialect-independent view of an error body: {code, message}. */
export function errorOf(body) {
  if (!body || typeof body !== 'object') return { code: undefined, message: undefined };
  return { code: body.error?.code, message: body.error?.message ?? body.message };
}

/**
 * Writes `text` (a whole HTTP/1.1 request, possibly malformed) to a fresh socket and reads the
 * answer until the server closes. Answers {status, head, text}; status 0 if nothing came back.
 */
export function sendRaw(baseUrl, text) {
  const u = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(u.port), u.hostname, () => socket.end(text));
    let out = '';
    socket.setEncoding('latin1');
    socket.on('data', (c) => {
      out += c;
    });
    socket.on('error', (e) => (e.code === 'ECONNRESET' || e.code === 'EPIPE' ? null : reject(e)));
    socket.on('close', () => {
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(out);
      const i = out.indexOf('\r\n\r\n');
      resolve({ status: m ? Number(m[1]) : 0, head: i < 0 ? out : out.slice(0, i), text: i < 0 ? '' : out.slice(i + 4) });
    });
    socket.setTimeout(5000, () => socket.destroy());
  });
}
