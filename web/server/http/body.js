// Request bodies and ids: bounded reading, the JSON object parse with its exact messages, security
// headers, positive-integer ids. Own code, not Fastify's JSON parser: the body must be read raw
// (the Idempotency-Key fingerprint hashes the exact bytes), the 413 must come before the rest of
// a large body is read, and the 400 messages (invalid UTF-8, lone surrogates, malformed JSON) are
// pinned by tests/node/hostile.test.js. No workflow knowledge lives here.
import { HttpError } from './errors.js';

// No request of this API needs more (fields are capped at 32 KB of JSON), except bulk_update's
// list of ids (its own, larger limit: bulkBodyLimit in limits.js); parsing and walking a body is
// paid before anything else can refuse it, so it is kept small.
export const MAX_BODY_BYTES = 64 * 1024;

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
    req.on('end', () => {
      if (!done) {
        done = true;
        resolve(Buffer.concat(chunks));
      }
    });
    // The client went away before its body ended: nothing to answer and nothing to log (app.js).
    // These were logged as internal errors, a stack trace per dropped connection.
    req.on('error', () => {
      if (!done) {
        done = true;
        reject(clientGone());
      }
    });
    req.on('aborted', () => {
      if (!done) {
        done = true;
        reject(clientGone());
      }
    });
  });
}

function clientGone() {
  const e = new Error('The request body ended before it was complete');
  e.clientGone = true; // app.js answers 400 if the connection is still open, and logs nothing
  return e;
}

function tooLarge(limit) {
  const e = new HttpError(413, { code: 'payload_too_large', message: `Request body exceeds the limit of ${limit} bytes` });
  e.closeConnection = true;
  e.limit = limit; // what the sender is charged for (the server reads the rest away)
  return e;
}

// One decoder for every body: a non-streaming decode() starts afresh, even after it threw, and
// constructing one per request was a measurable share of a PUT.
const utf8 = new TextDecoder('utf-8', { fatal: true });

// Parses a JSON object body. `fail(message)` builds the dialect's 400 error.
export function parseJsonObject(buf, fail) {
  if (buf.length === 0) throw fail('Request body is empty; a JSON object is required');
  let text;
  try {
    text = utf8.decode(buf);
  } catch {
    throw fail('Request body is not valid UTF-8');
  }
  let value;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw fail(`Malformed JSON in request body: ${e.message}`);
  }
  const twice = duplicateKey(text);
  if (twice) throw fail(`Request body holds the key ${twice.key} twice${twice.path ? ` in ${twice.path}` : ''}`);
  const bad = illFormed(value);
  if (bad !== null) throw fail(`${bad || 'Request body'} is not valid Unicode text (a lone surrogate)`);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw fail('Request body must be a JSON object');
  }
  return value;
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
    if (typeof v === 'string') {
      if (!v.isWellFormed()) return node ? pathOf(node.parent, node.key) : '';
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    for (const k in v) {
      if (!k.isWellFormed()) return pathOf(node, k);
      const x = v[k];
      if (typeof x === 'string' ? !x.isWellFormed() : x !== null && typeof x === 'object') stack.push([x, { parent: node, key: k }]);
    }
  }
  return null;
}

// The first key that appears twice in one object of a JSON text, or null: {key (quoted, at most 40
// characters), path ('' at the top level, else e.g. "fields")}. JSON.parse keeps the last value of
// a repeated key while a proxy, a log or another parser may read the first, so
// {"status":"cancelled","status":"processing"} is refused rather than guessed at. Own code: no
// parser here reports duplicates, and this one only scans text JSON.parse has already accepted
// (strings are skipped whole; iterative, so nesting cannot overflow the stack).
export function duplicateKey(text) {
  const stack = []; // per open container: {keys: Set | null (array), name, last}
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      let j = i + 1;
      for (let d = text.charCodeAt(j); d !== 34; d = text.charCodeAt(j)) j += d === 92 ? 2 : 1;
      if (expectKey) {
        const top = stack[stack.length - 1];
        const raw = text.slice(i + 1, j);
        const key = raw.includes('\\') ? JSON.parse(text.slice(i, j + 1)) : raw;
        if (top.keys.has(key)) {
          let path = '';
          for (const n of stack.slice(1)) path += n.name === '[]' ? '[]' : `${path ? '.' : ''}${n.name}`;
          return { key: JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key), path };
        }
        top.keys.add(key);
        top.last = key;
        expectKey = false;
      }
      i = j;
    } else if (c === 123 || c === 91) {
      const parent = stack[stack.length - 1];
      const name = parent ? (parent.keys ? parent.last : '[]') : '';
      stack.push({ keys: c === 123 ? new Set() : null, name, last: null });
      expectKey = c === 123;
    } else if (c === 125 || c === 93) {
      stack.pop();
    } else if (c === 44) {
      expectKey = stack[stack.length - 1].keys !== null;
    }
  }
  return null;
}
