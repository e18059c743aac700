// Starts the reference server (web/server/main.js) on a free loopback port with a fresh data dir.
// Contract with the server: with PORT=0 it picks a free port and prints a line containing
// "listening on http://127.0.0.1:<port>" on stdout once it accepts requests.
// The store: SQLite in the data dir, or with ORDERFLOW_TEST_STORE=postgres a PostgreSQL database
// of its own on the test cluster (tests/support/pg.js), named after the data dir so that a server
// restarted on the same data dir finds its data again; `databaseUrl` says which (null: SQLite).
// `store: 'sqlite' | 'postgres'` overrides the environment for one server.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabase, testStore } from './pg.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export async function startServer({ dataDir, env = {}, keepData = false, store = testStore(), database = null } = {}) {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'orderflow-test-'));
  // `database`: a {url} to share with another server (two instances on one database)
  const db = store === 'postgres' ? (database ?? (await createDatabase(dir))) : null;
  const child = spawn(process.execPath, [join(ROOT, 'web/server/main.js')], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      ORDERFLOW_DATA_DIR: dir,
      ORDERFLOW_EXIT_WITH_PARENT: '1',
      DATABASE_URL: db?.url ?? '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 20 s:\n${output}`)), 20000);
    const onData = (chunk) => {
      output += chunk;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (c) => {
      output += c;
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}):\n${output}`));
    });
  });
  child.removeAllListeners('exit');
  const exited = new Promise((r) => child.on('exit', r));
  return {
    url,
    dataDir: dir,
    databaseUrl: db?.url ?? null,
    database: db,
    process: child,
    output: () => output,
    async stop({ signal = 'SIGTERM' } = {}) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
      if (!keepData && !dataDir) {
        rmSync(dir, { recursive: true, force: true });
        if (db && !database) await db.drop();
      }
    },
  };
}
