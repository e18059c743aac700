// PostgreSQL for tests: the cluster given by DATABASE_URL (scripts/test.sh starts a throwaway one
// with scripts/pg-cluster.sh), or, when it is unset, a throwaway cluster started here for this
// test process and removed when it exits. Each test (or server) gets a database of its own, so
// test files can run at the same time on one cluster.
import { spawnSync, execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
let cluster = null; // {url, dir}

// The cluster's URL (its maintenance database); starts a throwaway cluster on first use if needed.
export function clusterUrl() {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  if (!cluster) {
    const out = execFileSync(join(ROOT, 'scripts/pg-cluster.sh'), ['start'], { encoding: 'utf8' });
    const vars = Object.fromEntries(
      out
        .trim()
        .split('\n')
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    cluster = { url: vars.DATABASE_URL, dir: vars.PG_CLUSTER_DIR };
    // Synchronous, so it also runs when the process exits on its own.
    process.on('exit', () => spawnSync(join(ROOT, 'scripts/pg-cluster.sh'), ['stop', cluster.dir]));
  }
  return cluster.url;
}

// The URL of database `name` on the cluster.
export function urlFor(name) {
  const u = new URL(clusterUrl());
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin(sql) {
  const c = new pg.Client({ connectionString: clusterUrl() });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

// A new empty database -> {url, name, drop()}. `key`: the same key gives the same database (a
// server restarted on "the same data dir" finds its data again); without one it is random.
export async function createDatabase(key) {
  const name = `of_${key ? createHash('sha256').update(key).digest('hex').slice(0, 20) : randomBytes(10).toString('hex')}`;
  try {
    await admin(`CREATE DATABASE ${name}`);
  } catch (e) {
    if (e.code !== '42P04') throw e; // duplicate_database: reuse it
  }
  return {
    name,
    url: urlFor(name),
    drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

// Which store the server suites run against: ORDERFLOW_TEST_STORE=postgres or sqlite (default).
export const testStore = () => (process.env.ORDERFLOW_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite');
