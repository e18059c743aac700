// What one request, one client and one connection may cost the server: the engine's input is
// bounded before it runs (key count and size of `fields`), expensive answers are charged to the
// sender's rate-limit bucket by their size, connections are capped in total and per address, and
// slow clients are timed out. Also the event-loop delay figure that /api/health reports.
import { monitorEventLoopDelay } from 'node:perf_hooks';

// `fields` (with notes and tracking_number folded in) is refused before the engine sees it when
// it has more keys or more JSON bytes than this. Far above what any workflow here defines (the
// longest field is 2,000 characters); these bound cost, the engine still decides what is valid.
export const MAX_FIELD_KEYS = 64;
export const MAX_FIELDS_BYTES = 32 * 1024;

// Body limit of the bulk_update routes: the ordinary 64 KB (MAX_BODY_BYTES) plus room for the
// largest job's ids, so a bulk of ORDERFLOW_BULK_JOB_MAX ids always fits and gets its answer
// (202, or 400 naming the id limit) rather than a 413. 18 bytes per id: the longest id parseId
// accepts (16 digits) with a comma and a space. 20,000 ids (the default) -> 425,536 bytes. Every
// other route keeps 64 KB; the bytes read are charged like any body's (extraCost.bytes).
export const BULK_ID_BYTES = 18;
export function bulkBodyLimit(baseBytes, jobMaxOrders) {
  return baseBytes + BULK_ID_BYTES * jobMaxOrders;
}

// Rate-limit tokens beyond the first that a request costs, charged once its size is known:
// one per 50 orders listed, one per 8 KB of body (or of the body limit, for a body refused as too
// large: the server still reads it away), one per 50 ids of a bulk update.
export const extraCost = {
  rows: (n) => Math.floor(n / 50),
  bytes: (n) => Math.floor(n / (8 * 1024)),
  ids: (n) => Math.floor(n / 50),
};

// Why `fields` may not go to the engine: a message, or null when it is within the bounds.
export function fieldsTooCostly(fields) {
  const keys = Object.keys(fields).length;
  if (keys > MAX_FIELD_KEYS) return `fields may hold at most ${MAX_FIELD_KEYS} keys (got ${keys})`;
  let text;
  try {
    text = JSON.stringify(fields);
  } catch {
    // a RangeError: nested deeper than the stack
    return 'fields cannot be converted to JSON (nested too deeply)';
  }
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_FIELDS_BYTES)
    return `fields, notes and tracking_number together may take at most ${MAX_FIELDS_BYTES} bytes of JSON (got ${bytes})`;
  return null;
}

// node:http options against slow clients: a request's headers must arrive within
// headersTimeoutMs and the whole request within requestTimeoutMs (checked every second, not
// Node's default 30 s); an idle keep-alive connection is closed after keepAliveTimeoutMs.
export function serverOptions(config) {
  return {
    headersTimeout: config.headersTimeoutMs,
    requestTimeout: Math.max(config.requestTimeoutMs, config.headersTimeoutMs),
    keepAliveTimeout: config.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.min(1000, config.headersTimeoutMs),
    // An HTTP/1.1 request without Host is still refused (app.js), but with the API's error body:
    // node:http's own refusal is a bare 400 with no words.
    requireHostHeader: false,
  };
}

// Caps open connections: `maxConnections` in total (Node closes the ones over it) and
// `maxPerAddress` per remote address, so one address cannot take every slot. Own code: a Map of
// counts on the 'connection' event is all it takes on node:http.
export function limitConnections(server, { maxConnections, maxPerAddress }) {
  server.maxConnections = maxConnections;
  const open = new Map();
  server.on('connection', (socket) => {
    const addr = socket.remoteAddress ?? '?';
    const n = (open.get(addr) ?? 0) + 1;
    if (n > maxPerAddress) {
      socket.destroy();
      return;
    }
    open.set(addr, n);
    socket.once('close', () => {
      const left = open.get(addr) - 1;
      if (left > 0) open.set(addr, left);
      else open.delete(addr);
    });
  });
}

// Event-loop delay over the last complete 5-second window (p50, p99, max in ms): how late the
// histogram's 10 ms timer fired (its samples include the 10 ms itself, taken off here).
export function loopDelayMonitor(windowMs = 5000) {
  const resolutionMs = 10;
  const h = monitorEventLoopDelay({ resolution: resolutionMs });
  h.enable();
  const ms = (ns) => Math.max(0, Math.round(ns / 1e4 - resolutionMs * 100) / 100);
  const summary = () =>
    h.count ? { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max), window_s: windowMs / 1000 } : null;
  let last = null;
  const timer = setInterval(() => {
    last = summary();
    h.reset();
  }, windowMs);
  timer.unref();
  return {
    read: () => last ?? summary(),
    stop: () => {
      clearInterval(timer);
      h.disable();
    },
  };
}
