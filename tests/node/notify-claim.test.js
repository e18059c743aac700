// The delivery claim (the store's `deliveries` area, web/server/store/) with several database connections at once, as
// several server instances sharing one database would be: worker threads, each with its own
// connection, claim and complete deliveries concurrently; every delivery is claimed exactly once.
// Also: an expired lease is claimable again, and an outcome written by a process that lost its
// lease is ignored (fencing); the backoff stays within its bounds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../web/server/store/index.js';
import { backoffMs } from '../../web/server/notify/dispatcher.js';

// Orders + one single notification per order, as the change transaction writes them.
// (Test set-up straight into the SQLite file: the store interface has no "insert an order".)
function seedOutbox(db, n) {
  db.prepare("INSERT INTO stores (id, name) VALUES ('s1', 'Store')").run();
  const order = db.prepare(`INSERT INTO orders (id, workflow, status, store_id, customer_name, total, created_at, updated_at)
    VALUES (?, 'cms', 'processing', 's1', 'C', 1, 'now', 'now')`);
  const note = db.prepare("INSERT INTO notifications (kind, created_at) VALUES ('single', ?)");
  const item = db.prepare(
    "INSERT INTO notification_items (notification_id, order_id, lock_version, status) VALUES (?, ?, 1, 'processing')",
  );
  db.transaction(() => {
    for (let i = 1; i <= n; i++) {
      order.run(i);
      item.run(Number(note.run(new Date().toISOString()).lastInsertRowid), i);
    }
  })();
}

const WORKER = `
  const { parentPort, workerData } = require('node:worker_threads');
  (async () => {
    const { openStore } = await import(workerData.store);
    const store = await openStore({ dataDir: workerData.dir, busyTimeoutMs: 5000 });
    const claimed = [];
    for (let empty = 0; empty < 3;) {
      const rows = await store.deliveries.claim(workerData.owner, Date.now(), 60000, 3);
      if (rows.length === 0) { empty += 1; await new Promise((r) => setTimeout(r, 5)); continue; }
      empty = 0;
      for (const d of rows) { claimed.push(d.id); if (!(await store.deliveries.markSent(d.id, workerData.owner))) throw new Error('lost a lease'); }
      await new Promise((r) => setImmediate(r));
    }
    await store.close();
    parentPort.postMessage(claimed);
  })().catch((e) => { throw e; });
`;

test('four connections claiming at once: each delivery is claimed exactly once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orderflow-claim-'));
  try {
    const store = await openStore({ dataDir: dir });
    seedOutbox(store.db, 600);
    assert.equal(await store.deliveries.materialize(['webhook', 'email'], Date.now(), null), 1200);
    assert.equal(await store.deliveries.materialize(['webhook', 'email'], Date.now(), null), 0, 'idempotent');
    await store.close();
    const workerData = (owner) => ({ owner, dir, store: new URL('../../web/server/store/index.js', import.meta.url).href });
    const results = await Promise.all(
      ['a', 'b', 'c', 'd'].map(
        (owner) =>
          new Promise((resolve, reject) => {
            const w = new Worker(WORKER, { eval: true, workerData: workerData(owner) });
            w.once('message', resolve);
            w.once('error', reject);
          }),
      ),
    );
    const all = results.flat();
    assert.equal(all.length, 1200, 'every delivery claimed');
    assert.equal(new Set(all).size, 1200, 'none claimed twice');
    assert.ok(results.filter((r) => r.length > 0).length >= 2, `the work was shared: ${results.map((r) => r.length)}`);
    const check = await openStore({ dataDir: dir });
    assert.deepEqual(
      check.db.prepare('SELECT state, attempts, COUNT(*) AS n FROM notification_deliveries GROUP BY state, attempts').all(),
      [{ state: 'sent', attempts: 1, n: 1200 }],
    );
    await check.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an expired lease is claimable again; the outcome of the process that lost it is ignored', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orderflow-claim-'));
  try {
    const { db, deliveries: store } = await openStore({ dataDir: dir });
    seedOutbox(db, 1);
    await store.materialize(['webhook'], 1000, null);
    const [a] = await store.claim('dead', 1000, 500, 10);
    assert.ok(a);
    assert.deepEqual(await store.claim('other', 1400, 500, 10), [], 'leased: nobody else may take it');
    const [b] = await store.claim('other', 1500, 500, 10);
    assert.equal(b.id, a.id, 'free again once the lease expired');
    assert.equal(b.message_id, a.message_id, 'same webhook-id');
    assert.equal(b.attempts, 2);
    assert.equal(await store.markFailed(a.id, 'dead', 'late answer'), false, 'fenced: the old owner cannot write');
    assert.equal(await store.markSent(b.id, 'other'), true);
    assert.deepEqual(await store.claim('third', 99999, 500, 10), [], 'sent is never claimed again');
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('backoff: exponential, capped, jittered within [half, full]', () => {
  for (let attempt = 1; attempt <= 12; attempt++) {
    const full = Math.min(60000, 100 * 2 ** (attempt - 1));
    assert.equal(
      backoffMs(attempt, 100, 60000, () => 0),
      full / 2,
    );
    assert.equal(
      backoffMs(attempt, 100, 60000, () => 1),
      full,
    );
    const r = backoffMs(attempt, 100, 60000);
    assert.ok(r >= full / 2 && r <= full);
  }
});
