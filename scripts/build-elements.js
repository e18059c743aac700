#!/usr/bin/env node
// Builds what the package ships for the elements beyond their source (web/src):
//   dist/orderflow-elements.js  one self-contained ES module for pages without a bundler
//                               (web/vite.bundle.config.js); the .wasm is dist/orderflow.wasm
//   custom-elements.json        the elements' manifest (@custom-elements-manifest/analyzer)
// Run by setup.sh, by `npm pack` (prepack) and by the tests' packing (tests/node/support/package.js).
// Files are written to a temporary name and renamed into place, so parallel runs never see half a file.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = process.env.ORDERFLOW_DIST ? join(ROOT, process.env.ORDERFLOW_DIST) : join(ROOT, 'dist');
if (!existsSync(join(dist, 'index.browser.js'))) {
  console.error(`${dist} has no module build: run \`cmake --preset wasm && cmake --build --preset wasm\` first`);
  process.exit(1);
}
mkdirSync(join(ROOT, 'build'), { recursive: true });
const tmp = mkdtempSync(join(ROOT, 'build', '.elements-'));
try {
  process.env.ORDERFLOW_BUNDLE_OUT = join(tmp, 'bundle');
  await build({ configFile: join(ROOT, 'web', 'vite.bundle.config.js') });
  copyFileSync(join(tmp, 'bundle', 'orderflow-elements.js'), join(tmp, 'orderflow-elements.js'));
  renameSync(join(tmp, 'orderflow-elements.js'), join(dist, 'orderflow-elements.js'));

  execFileSync(process.execPath, [join(ROOT, 'node_modules', '@custom-elements-manifest', 'analyzer', 'cem.js'), 'analyze',
    '--config', join(ROOT, 'custom-elements-manifest.config.mjs'), '--outdir', relative(ROOT, tmp)], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  renameSync(join(tmp, 'custom-elements.json'), join(ROOT, 'custom-elements.json'));
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
