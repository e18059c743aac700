// Starts the reference server (web/server/main.js) on a free loopback port with a fresh data dir.
// Contract with the server: with PORT=0 it picks a free port and prints a line containing
// "listening on http://127.0.0.1:<port>" on stdout once it accepts requests.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export async function startServer({ dataDir, env = {}, keepData = false } = {}) {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'orderflow-test-'));
  const child = spawn(process.execPath, [join(ROOT, 'web/server/main.js')], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ORDERFLOW_DATA_DIR: dir, ORDERFLOW_EXIT_WITH_PARENT: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 20 s:\n${output}`)), 20000);
    const onData = (chunk) => {
      output += chunk;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (c) => { output += c; });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited (${code}):\n${output}`)); });
  });
  child.removeAllListeners('exit');
  const exited = new Promise((r) => child.on('exit', r));
  return {
    url, dataDir: dir, process: child, output: () => output,
    async stop({ signal = 'SIGTERM' } = {}) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
      if (!keepData && !dataDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
