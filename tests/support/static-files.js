// Answers a request for a file of a built page (a Vite `dist/` folder) the way a plain static
// server would: index.html for "/", the file's type by its extension, 404 when there is none.
import { readFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };

export function serveBuiltFile(res, dir, pathname) {
  const rel = normalize(pathname === '/' ? 'index.html' : pathname.slice(1));
  try {
    const data = readFileSync(join(dir, rel));
    res.writeHead(200, { 'Content-Type': TYPES[extname(rel)] ?? 'application/octet-stream' });
    res.end(data);
  } catch {
    res.writeHead(404);
    res.end();
  }
}
