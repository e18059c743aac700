#!/usr/bin/env node
// Builds what the package ships for the elements beyond their source (web/src):
//   dist/orderflow-elements.js  one self-contained ES module for pages without a bundler
//                               (web/vite.bundle.config.js); the .wasm is dist/orderflow.wasm;
//   dist/orderflow-elements-*.js  its chunks (loaded by it when needed) and languages (de)
//   custom-elements.json        the elements' manifest (@custom-elements-manifest/analyzer)
// Run by setup.sh, by `npm pack` (prepack) and by the tests' packing (tests/node/support/package.js).
// Files are written to a temporary name and renamed into place, so parallel runs never see half a file.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const LOCALES = ['de']; // web/src/locales/*.js shipped next to the bundle
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = process.env.ORDERFLOW_DIST ? join(ROOT, process.env.ORDERFLOW_DIST) : join(ROOT, 'dist');
if (!existsSync(join(dist, 'index.browser.js'))) {
  console.error(`${dist} has no module build: run \`cmake --preset wasm && cmake --build --preset wasm\` first`);
  process.exit(1);
}
mkdirSync(join(ROOT, 'build'), { recursive: true });
const tmp = mkdtempSync(join(ROOT, 'build', '.elements-'));
try {
  const out = join(tmp, 'bundle');
  process.env.ORDERFLOW_BUNDLE_OUT = out;
  await build({ configFile: join(ROOT, 'web', 'vite.bundle.config.js') });
  for (const locale of LOCALES) {
    process.env.ORDERFLOW_BUNDLE_OUT = join(tmp, `locale-${locale}`);
    process.env.ORDERFLOW_BUNDLE_LOCALE = locale;
    await build({ configFile: join(ROOT, 'web', 'vite.bundle.config.js') });
    renameSync(join(tmp, `locale-${locale}`, `orderflow-elements-${locale}.js`), join(out, `orderflow-elements-${locale}.js`));
  }
  delete process.env.ORDERFLOW_BUNDLE_LOCALE;
  const built = readdirSync(out).filter((f) => /^orderflow-elements.*\.js$/.test(f));
  // chunks of an earlier build that this one no longer makes would be shipped stale: removed
  for (const f of readdirSync(dist)) if (/^orderflow-elements-.*\.js$/.test(f) && !built.includes(f)) rmSync(join(dist, f));
  // chunks first, the entry last: a page loading meanwhile never gets an entry without its chunks
  for (const f of built.sort((a, b) => (a === 'orderflow-elements.js') - (b === 'orderflow-elements.js')))
    renameSync(join(out, f), join(dist, f));

  execFileSync(
    process.execPath,
    [
      join(ROOT, 'node_modules', '@custom-elements-manifest', 'analyzer', 'cem.js'),
      'analyze',
      '--config',
      join(ROOT, 'custom-elements-manifest.config.mjs'),
      '--outdir',
      relative(ROOT, tmp),
    ],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  renameSync(join(tmp, 'custom-elements.json'), join(ROOT, 'custom-elements.json'));
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
