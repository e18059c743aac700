// `tsc --noEmit` on a few source files against the installed orderflow package: each check in
// its own folder inside the scratch project (tests/node/support/package.js), so 'orderflow'
// resolves to the installed package as it would for a user.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './package.js';

const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const COMPILER_OPTIONS = {
  target: 'ES2022',
  module: 'NodeNext',
  moduleResolution: 'NodeNext',
  lib: ['ES2022', 'DOM'],
  strict: true,
  noEmit: true,
  types: [],
  resolveJsonModule: true,
};

/**
 * Compiles `files` ({ name: text }; the `.ts` ones are the roots) inside `pkg.project`.
 * Returns `{ status, stdout, stderr, diagnostics }`, diagnostics as `{ file, line, code, text }`.
 */
export function typecheck(pkg, files) {
  const dir = mkdtempSync(join(pkg.project, 'tsc-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const roots = Object.keys(files).filter((name) => /(?<!\.d)\.ts$/.test(name));
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ files: roots, compilerOptions: COMPILER_OPTIONS }));
    const r = spawnSync(process.execPath, [TSC, '-p', dir, '--pretty', 'false'], { cwd: dir, encoding: 'utf8' });
    const diagnostics = [...r.stdout.matchAll(/^(.+?)\((\d+),\d+\): error (TS\d+): (.*)$/gm)].map(([, file, line, code, text]) => ({
      file,
      line: Number(line),
      code,
      text,
    }));
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, diagnostics };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
