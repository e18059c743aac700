// HTTP plumbing for the reference server: bounded body reading, JSON answers, security headers,
// request errors that carry their status code. No workflow knowledge lives here.

// No request of this API needs more (fields are capped at 32 KB of JSON), except bulk_update's
// list of ids (its own, larger limit: bulkBodyLimit in limits.js); parsing and walking a body is
// paid before anything else can refuse it, so it is kept small.
export const MAX_BODY_BYTES = 64 * 1024;

// An error that becomes an HTTP answer. `body` is the exact JSON body to send.
export class HttpError extends Error {
  constructor(status, body, headers = {}) {
    super(body?.error?.message ?? body?.message ?? `HTTP ${status}`);
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

export const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; " +
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; " +
    "form-action 'self'; frame-ancestors 'self'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'SAMEORIGIN',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
};

export function setSecurityHeaders(res) {
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
}

export function sendJson(res, status, body, headers = {}) {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

// Reads the request body, at most MAX_BODY_BYTES. Over the limit: rejects with 413 and stops
// reading (the connection is closed after the answer, so the rest is never read).
export function readBody(req, limit = MAX_BODY_BYTES) {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(tooLarge(limit));
      return;
    }
    const chunks = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        req.pause();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => { if (!done) { done = true; resolve(Buffer.concat(chunks)); } });
    req.on('error', (err) => { if (!done) { done = true; reject(err); } });
    req.on('aborted', () => { if (!done) { done = true; reject(new Error('request aborted')); } });
  });
}

function tooLarge(limit) {
  const e = new HttpError(413, { code: 'payload_too_large', message: `Request body exceeds the limit of ${limit} bytes` });
  e.closeConnection = true;
  e.limit = limit;  // what the sender is charged for (the server reads the rest away)
  return e;
}

// Parses a JSON object body. `fail(message)` builds the dialect's 400 error.
export function parseJsonObject(buf, fail) {
  if (buf.length === 0) throw fail('Request body is empty; a JSON object is required');
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    throw fail('Request body is not valid UTF-8');
  }
  let value;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw fail(`Malformed JSON in request body: ${e.message}`);
  }
  const bad = illFormed(value);
  if (bad !== null) throw fail(`${bad || 'Request body'} is not valid Unicode text (a lone surrogate)`);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw fail('Request body must be a JSON object');
  }
  return value;
}

export function parseCookies(header) {
  const out = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    const k = part.slice(0, i).trim();
    const v = part.slice(i + 1).trim();
    if (k && !(k in out)) {
      try { out[k] = decodeURIComponent(v); } catch { out[k] = v; }
    }
  }
  return out;
}

// Positive integer id from a path segment or body value; null if it is not one.
export function parseId(value) {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? value : null;
  if (typeof value !== 'string' || !/^[1-9][0-9]{0,15}$/.test(value)) return null;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : null;
}

// Path of the first string or key that is not well-formed UTF-16 (a lone surrogate), or null.
// Iterative: a body may nest deeper than the stack. Paths are only built for the one reported.
function illFormed(root) {
  const stack = [[root, null]];
  const pathOf = (node, key) => {
    const parts = [key];
    for (let n = node; n; n = n.parent) parts.unshift(n.key);
    return parts.filter((k) => k !== null).join('.');
  };
  while (stack.length) {
    const [v, node] = stack.pop();
    if (typeof v === 'string') { if (!v.isWellFormed()) return node ? pathOf(node.parent, node.key) : ''; continue; }
    if (v === null || typeof v !== 'object') continue;
    for (const k in v) {
      if (!k.isWellFormed()) return pathOf(node, k);
      const x = v[k];
      if (typeof x === 'string' ? !x.isWellFormed() : (x !== null && typeof x === 'object')) stack.push([x, { parent: node, key: k }]);
    }
  }
  return null;
}
