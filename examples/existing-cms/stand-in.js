// Shared plumbing of the two stand-in APIs: a node:http server that serves the "existing CMS"
// page (public/), the installed orderflow package under /node_modules/orderflow/ (as a page
// without a bundler would copy it), and the API routes given to it. Every API request is
// recorded (method, path, headers, raw body) so tests can check exactly what was sent.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PUBLIC = join(dirname(fileURLToPath(import.meta.url)), 'public');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
};

// A strict policy: no inline or eval'd script; the engine's WebAssembly needs 'wasm-unsafe-eval'.
// Inline style attributes are still used by some elements, hence style-src 'unsafe-inline'.
export const CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; " +
  "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'";

export function json(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
  return true;
}

async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

async function serveFile(res, file, transform) {
  let data;
  try {
    data = await readFile(file);
  } catch {
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('Not found');
    return;
  }
  let headers = {};
  if (transform) {
    const t = transform(data.toString('utf8'));
    data = Buffer.from(t.body);
    headers = t.headers ?? {};
  }
  res.writeHead(200, {
    'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Security-Policy': CSP,
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(data);
}

/**
 * @param {object} o
 * @param {string} o.packageDir   the installed orderflow package (node_modules/orderflow)
 * @param {string} o.page         the page served at /
 * @param {(req, res, ctx: {path: string, body: any, raw: string}) => Promise<boolean>|boolean} o.api
 *        answers an /api/ request; returns false when no route matched (→ 404 HTML, as a framework would)
 * @param {(html: string, req) => {body: string, headers?: object}} [o.pageTransform]  the page as the CMS renders it
 */
export function standIn({ packageDir, page, api, pageTransform }) {
  const requests = [];
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const path = decodeURIComponent(url.pathname);
    try {
      if (path.startsWith('/api/')) {
        const raw = await readBody(req);
        requests.push({ method: req.method, path, query: url.search, headers: { ...req.headers }, body: raw });
        let body = null;
        if (raw) {
          try {
            body = JSON.parse(raw);
          } catch {
            json(res, 400, { success: false, message: 'Invalid JSON body' });
            return;
          }
        }
        if (!(await api(req, res, { path, query: url.searchParams, body, raw }))) {
          res.writeHead(404, { 'Content-Type': 'text/html; charset=utf-8' });
          res.end(`<!DOCTYPE html><html><head><title>Error</title></head><body><pre>Cannot ${req.method} ${path}</pre></body></html>`);
        }
        return;
      }
      if (path === '/') {
        await serveFile(res, join(PUBLIC, page), pageTransform && ((t) => pageTransform(t, req)));
        return;
      }
      if (path.startsWith('/node_modules/orderflow/')) {
        const rel = normalize(path.slice('/node_modules/orderflow/'.length));
        if (rel.startsWith('..')) throw new Error('bad path');
        await serveFile(res, join(packageDir, rel));
        return;
      }
      const rel = normalize(path.slice(1));
      if (rel.startsWith('..')) throw new Error('bad path');
      await serveFile(res, join(PUBLIC, rel));
    } catch (e) {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(String(e?.message ?? e));
    }
  });
  return {
    server,
    requests,
    async listen(port = 0, host = '127.0.0.1') {
      await new Promise((resolve) => server.listen(port, host, resolve));
      return `http://${host}:${server.address().port}`;
    },
    close() {
      server.closeAllConnections?.();
      return new Promise((r) => server.close(() => r()));
    },
  };
}
