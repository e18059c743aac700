// The self-contained ES bundle for pages without a bundler: Lit, the elements, the adapters and
// the engine's glue in one module, dist/orderflow-elements.js. The .wasm is not copied: the
// bundle sits in dist/ next to dist/orderflow.wasm and asks for it there (new URL(…, import.meta.url)).
// Built by scripts/build-elements.js (which moves the one file into dist/).
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const moduleDir = process.env.ORDERFLOW_DIST ? resolve(process.env.ORDERFLOW_DIST) : here('../dist');

export default defineConfig({
  configFile: false,
  root: here('.'),
  base: './', // the wasm URL stays relative to the bundle
  publicDir: false,
  logLevel: 'warn',
  resolve: { alias: [{ find: /^orderflow$/, replacement: join(moduleDir, 'index.browser.js') }] },
  build: {
    outDir: process.env.ORDERFLOW_BUNDLE_OUT ?? here('../build/elements-bundle'),
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    reportCompressedSize: false,
    modulePreload: false,
    rollupOptions: {
      input: here('src/elements.js'),
      preserveEntrySignatures: 'strict',
      output: { format: 'es', entryFileNames: 'orderflow-elements.js', assetFileNames: '[name][extname]', codeSplitting: false },
    },
  },
});
