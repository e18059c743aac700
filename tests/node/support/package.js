// Installs the orderflow package exactly as a user gets it: `npm pack` of the repository, then
// `npm install --offline <tgz>` into a scratch project. Done once per distinct package content
// (dist/, the elements' source web/src, types/, package.json, …), cached under build/pack/<hash>/,
// safe when test files run in parallel (each builds in a private folder and renames it into
// place; the first rename wins). Before packing, the elements' bundle and manifest are built
// (scripts/build-elements.js), as `npm pack`'s prepack does for a person.
//
// ORDERFLOW_DIST=<folder> tests another build of the package instead of dist/, e.g. the
// hardening build: `ORDERFLOW_DIST=build/wasm-debug/dist node --test tests/node/module*.test.js`.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const DIST = process.env.ORDERFLOW_DIST ? resolve(ROOT, process.env.ORDERFLOW_DIST) : join(ROOT, 'dist');

function listFiles(dir, prefix = '') {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listFiles(full, `${prefix}${name}/`));
    else out.push(`${prefix}${name}`);
  }
  return out;
}

// What the package is made of besides dist/ (the bundle and manifest are built from these).
const SHIPPED_FILES = [
  'package.json',
  'README.md',
  'LICENSE',
  'docs/embedding.md',
  'custom-elements-manifest.config.mjs',
  'scripts/build-elements.js',
  'web/vite.bundle.config.js',
];
const SHIPPED_DIRS = ['web/src', 'types'];
const GENERATED = new Set(['orderflow-elements.js']); // built into dist/ by scripts/build-elements.js
const withElements = () => DIST === join(ROOT, 'dist');

/** Hash of what `npm pack` ships (generated files excepted: they follow from the rest). */
export function packageHash() {
  if (!existsSync(join(DIST, 'orderflow.wasm')) || !existsSync(join(DIST, 'index.node.js'))) {
    throw new Error(`${DIST} is not built: run \`cmake --preset wasm && cmake --build --preset wasm\` first`);
  }
  const hash = createHash('sha256');
  for (const file of SHIPPED_FILES) {
    if (existsSync(join(ROOT, file))) hash.update(file).update(readFileSync(join(ROOT, file)));
  }
  if (withElements()) {
    for (const dir of SHIPPED_DIRS) {
      for (const file of listFiles(join(ROOT, dir))) hash.update(`${dir}/${file}`).update(readFileSync(join(ROOT, dir, file)));
    }
  }
  for (const file of listFiles(DIST)) {
    if (!GENERATED.has(file)) hash.update(`dist/${file}`).update(readFileSync(join(DIST, file)));
  }
  return hash.digest('hex').slice(0, 16);
}

// npm install from the local cache only, as CI's `npm ci` leaves it; from the registry when a
// dependency (lit, react) is not cached yet.
function npmInstall(args, cwd) {
  try {
    return run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', ...args], cwd);
  } catch (e) {
    if (!/ENOTCACHED/.test(`${e.stderr ?? ''}${e.stdout ?? ''}`)) throw e;
    return run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', ...args], cwd);
  }
}

function run(cmd, args, cwd) {
  return execFileSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false' },
  });
}

// Old installs (other dist contents) are removed once they are an hour old.
function prune(packRoot, keep) {
  const cutoff = Date.now() - 3600 * 1000;
  for (const name of readdirSync(packRoot)) {
    if (name === keep) continue;
    const dir = join(packRoot, name);
    try {
      if (statSync(dir).mtimeMs < cutoff) rmSync(dir, { recursive: true, force: true });
    } catch {
      // raced with another test process: fine
    }
  }
}

let installed = null;

/**
 * Returns `{ project, packageDir, bin, entry, tarball }`: the scratch project, the installed
 * package folder, the installed `orderflow` bin, and a file URL whose module re-exports
 * `orderflow` as resolved from the project (so Node's `exports` conditions apply).
 */
export function installPackage() {
  if (installed) return installed;
  const hash = packageHash();
  const packRoot = join(ROOT, 'build', 'pack');
  const final = join(packRoot, hash);
  if (!existsSync(join(final, 'ready'))) {
    mkdirSync(packRoot, { recursive: true });
    const tmp = join(packRoot, `.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
    mkdirSync(tmp, { recursive: true });
    try {
      let source = ROOT;
      if (withElements()) run(process.execPath, [join(ROOT, 'scripts', 'build-elements.js')], ROOT);
      else {
        // pack another build: stage it as a package of its own
        source = join(tmp, 'stage');
        mkdirSync(source);
        for (const file of ['package.json', 'README.md']) {
          if (existsSync(join(ROOT, file))) cpSync(join(ROOT, file), join(source, file));
        }
        cpSync(DIST, join(source, 'dist'), { recursive: true });
      }
      const packed = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', tmp], source));
      const tarball = packed[0].filename.replace(/^@/, '').replace(/\//, '-');
      const project = join(tmp, 'project');
      mkdirSync(project);
      writeFileSync(
        join(project, 'package.json'),
        `${JSON.stringify({ name: 'orderflow-scratch', private: true, type: 'module' }, null, 2)}\n`,
      );
      npmInstall([`../${tarball}`], project);
      writeFileSync(join(project, 'entry.js'), "export * from 'orderflow';\nexport { default } from 'orderflow';\n");
      writeFileSync(join(tmp, 'tarball'), tarball);
      writeFileSync(join(tmp, 'ready'), hash);
      try {
        renameSync(tmp, final);
      } catch (e) {
        if (!existsSync(join(final, 'ready'))) throw e; // someone else won the race: use theirs
      }
      prune(packRoot, hash);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  const project = join(final, 'project');
  installed = {
    hash,
    project,
    packageDir: join(project, 'node_modules', 'orderflow'),
    bin: join(project, 'node_modules', '.bin', 'orderflow'),
    entry: pathToFileURL(join(project, 'entry.js')).href,
    tarball: join(final, readFileSync(join(final, 'tarball'), 'utf8')),
  };
  return installed;
}

/**
 * A second scratch project next to the first (same tarball) with more packages installed, e.g.
 * `scratchProject('react', ['react', 'react-dom'])`; cached like the first. Returns its folder.
 */
export function scratchProject(name, deps = []) {
  const { tarball } = installPackage();
  const final = join(dirname(tarball), `project-${name}`);
  if (existsSync(join(final, 'ready'))) return final;
  const tmp = `${final}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  mkdirSync(tmp, { recursive: true });
  try {
    writeFileSync(
      join(tmp, 'package.json'),
      `${JSON.stringify({ name: `orderflow-scratch-${name}`, private: true, type: 'module' }, null, 2)}\n`,
    );
    const versions = deps.map((d) => `${d}@${JSON.parse(readFileSync(join(ROOT, 'node_modules', d, 'package.json'), 'utf8')).version}`);
    npmInstall([tarball, ...versions], tmp);
    writeFileSync(join(tmp, 'ready'), '');
    try {
      renameSync(tmp, final);
    } catch (e) {
      if (!existsSync(join(final, 'ready'))) throw e;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return final;
}

/** The installed module, imported as a user would (`import ... from 'orderflow'` in Node). */
export async function importPackage() {
  return import(installPackage().entry);
}
