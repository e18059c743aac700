// Builds the demo page and the custom elements: root web/, output web/dist/ (served by the
// reference server at /). The orderflow module is this repository's own package (dist/).
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
// ORDERFLOW_DIST: build the UI against another build of the module (e.g. build/wasm-debug/dist).
const moduleDir = process.env.ORDERFLOW_DIST ? resolve(process.env.ORDERFLOW_DIST) : here('../dist');

export default defineConfig({
  root: here('.'),
  base: '/',
  publicDir: false,
  resolve: {
    alias: [
      { find: /^orderflow$/, replacement: join(moduleDir, 'index.browser.js') },
      // the demo imports the package entry as any CMS would
      { find: /^orderflow\/elements$/, replacement: here('src/elements.js') },
    ],
  },
  optimizeDeps: { exclude: ['orderflow'] },
  build: {
    outDir: here('dist'),
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    reportCompressedSize: false,
    rollupOptions: {
      // The demo imports the package entry, which defines every element; the workspace's lazy
      // imports (detail view, bulk dialog) split only the self-contained bundle, so not here.
      onwarn(w, next) {
        if (w.code !== 'INEFFECTIVE_DYNAMIC_IMPORT') next(w);
      },
    },
  },
  server: {
    proxy: { '/api': { target: process.env.ORDERFLOW_API ?? 'http://127.0.0.1:3000', changeOrigin: false } },
  },
});
