// Static files of the UI build (web/dist/): content types, no directory traversal, SPA fallback
// to index.html, and a short page when the UI has not been built yet.
import { createReadStream, realpathSync, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.txt': 'text/plain; charset=utf-8',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.webmanifest': 'application/manifest+json',
};

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>orderflow</title></head>
<body><h1>orderflow reference server</h1>
<p>The UI is not built yet (web/dist/ is missing). Build it with <code>./scripts/setup.sh</code>;
the REST API is available under <code>/api/</code> (see docs/rest-api.md).</p></body></html>
`;

function text(res, status, body, type = 'text/plain; charset=utf-8', headers = {}) {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-cache', ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function safeStat(p) {
  try {
    return statSync(p);
  } catch {
    return null;
  }
}

export function serveStatic(req, res, pathname, root) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    text(res, 405, 'Method not allowed\n', undefined, { Allow: 'GET, HEAD' });
    return;
  }
  let decoded;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    text(res, 400, 'Malformed path\n');
    return;
  }
  if (decoded.includes('\0') || decoded.includes('\\') || decoded.split('/').some((seg) => seg === '..')) {
    text(res, 400, 'Bad path\n');
    return;
  }
  const rootStat = safeStat(root);
  if (!rootStat || !rootStat.isDirectory() || !safeStat(join(root, 'index.html'))) {
    if (decoded === '/' || decoded === '/index.html') text(res, 200, NOT_BUILT, 'text/html; charset=utf-8');
    else text(res, 404, 'Not found (the UI is not built)\n');
    return;
  }
  const realRoot = realpathSync(root);
  let file = resolve(realRoot, `.${decoded}`);
  let st = safeStat(file);
  if (st && st.isDirectory()) {
    file = join(file, 'index.html');
    st = safeStat(file);
  }
  if (!st && extname(decoded) === '') {
    file = join(realRoot, 'index.html');
    st = safeStat(file);
  } // client-side routes
  if (!st || !st.isFile()) {
    text(res, 404, 'Not found\n');
    return;
  }
  let real;
  try {
    real = realpathSync(file);
  } catch {
    text(res, 404, 'Not found\n');
    return;
  }
  if (real !== realRoot && !real.startsWith(realRoot + sep)) {
    text(res, 404, 'Not found\n');
    return;
  }
  const type = TYPES[extname(real).toLowerCase()] ?? 'application/octet-stream';
  const immutable = real.startsWith(join(realRoot, 'assets') + sep);
  res.writeHead(200, {
    'Content-Type': type,
    'Content-Length': st.size,
    'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(real)
    .on('error', () => res.destroy())
    .pipe(res);
}
