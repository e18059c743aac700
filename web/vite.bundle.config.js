// The self-contained ES bundle for pages without a bundler: Lit, the elements, the adapters and
// the engine's glue in one module, dist/orderflow-elements.js, plus what a page needs only
// sometimes in chunks next to it, loaded by the bundle itself when needed (the virtualizer for
// long lists: dist/orderflow-elements-virtual.js). The .wasm is not copied: the bundle sits in
// dist/ next to dist/orderflow.wasm and asks for it there (new URL(…, import.meta.url)).
// ORDERFLOW_BUNDLE_LOCALE=de builds a language instead (dist/orderflow-elements-de.js), which
// registers its table with the bundle it sits next to (import './orderflow-elements.js').
// Built by scripts/build-elements.js (which moves the files into dist/).
import { defineConfig } from 'vite';
// Lit's html`` and css`` templates keep their source whitespace and comments; this removes them
// in the bundle (a maintained plugin of the Lit team; the source in web/src stays readable).
import minifyHTML from '@lit-labs/rollup-plugin-minify-html-literals';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const moduleDir = process.env.ORDERFLOW_DIST ? resolve(process.env.ORDERFLOW_DIST) : here('../dist');
const locale = process.env.ORDERFLOW_BUNDLE_LOCALE;

// A locale's module imports defineMessages from the bundle itself, not a second copy of the table code.
const bundleAsExternal = {
  name: 'orderflow-bundle-external',
  enforce: 'pre',
  resolveId(id, importer) {
    if (importer && /[\\/]locales[\\/][^\\/]+\.js$/.test(importer) && id === '../i18n/index.js')
      return { id: './orderflow-elements.js', external: true };
    return null;
  },
};

// Vite wraps each import() of a chunk in its preload helper (about 0.8 KB gzipped in the entry),
// whose work is preloading the chunk's CSS and imports. This bundle has no CSS and modulePreload is
// off, so every dependency list is empty and all the helper does is load the chunk and, if that
// fails, dispatch Vite's cancellable 'vite:preloadError' event on window before rethrowing. This is
// that part, kept as it was (same event, same payload), without the unused preloading.
const preloadHelperId = '\0vite/preload-helper.js';
const smallPreloadHelper = {
  name: 'orderflow-small-preload-helper',
  enforce: 'pre',
  load(id) {
    if (id !== preloadHelperId) return null;
    return `export const __vitePreload = (load) => load().catch((err) => {
  const e = new Event('vite:preloadError', { cancelable: true });
  e.payload = err;
  window.dispatchEvent(e);
  if (!e.defaultPrevented) throw err;
});`;
  },
};

// Chunks keep the names of the elements they carry (web/src/elements/lazy/: an element with its
// controller, loaded by the workspace on first use).
const chunkNames = { detail: 'of-order-detail', bulk: 'of-bulk-dialog' };

export default defineConfig({
  configFile: false,
  root: here('.'),
  base: './', // the wasm URL stays relative to the bundle
  publicDir: false,
  logLevel: 'warn',
  plugins: locale ? [bundleAsExternal] : [{ ...minifyHTML({ failOnError: true }), enforce: 'pre' }, smallPreloadHelper],
  resolve: { alias: [{ find: /^orderflow$/, replacement: join(moduleDir, 'index.browser.js') }] },
  build: {
    outDir: process.env.ORDERFLOW_BUNDLE_OUT ?? here('../build/elements-bundle'),
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    reportCompressedSize: false,
    modulePreload: false,
    rollupOptions: locale
      ? {
          input: here(`src/locales/${locale}.js`),
          output: { format: 'es', entryFileNames: `orderflow-elements-${locale}.js` },
        }
      : {
          input: here('src/bundle.js'),
          preserveEntrySignatures: 'allow-extension', // chunks import what they share with the entry from it
          output: {
            format: 'es',
            entryFileNames: 'orderflow-elements.js',
            chunkFileNames: (chunk) => `orderflow-elements-${chunkNames[chunk.name] ?? chunk.name}.js`,
            assetFileNames: '[name][extname]',
          },
        },
  },
});
