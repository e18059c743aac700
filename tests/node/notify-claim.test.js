// The delivery claim (web/server/notify/store.js) with several database connections at once, as
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
import { openDatabase } from '../../web/server/db.js';
import { DeliveryStore } from '../../web/server/notify/store.js';
import { backoffMs } from '../../web/server/notify/dispatcher.js';

// Orders + one single notification per order, as the change transaction writes them.
function seedOutbox(db, n) {
  db.prepare("INSERT INTO stores (id, name) VALUES ('s1', 'Store')").run();
  const order = db.prepare(`INSERT INTO orders (id, workflow, status, store_id, customer_name, total, created_at, updated_at)
    VALUES (?, 'cms', 'processing', 's1', 'C', 1, 'now', 'now')`);
  const note = db.prepare("INSERT INTO notifications (kind, created_at) VALUES ('single', ?)");
  const item = db.prepare("INSERT INTO notification_items (notification_id, order_id, lock_version, status) VALUES (?, ?, 1, 'processing')");
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
    const { openDatabase } = await import(workerData.db);
    const { DeliveryStore } = await import(workerData.store);
    const db = openDatabase(workerData.dir, { busyTimeoutMs: 5000 });
    const store = new DeliveryStore(db);
    const claimed = [];
    for (let empty = 0; empty < 3;) {
      const rows = store.claim(workerData.owner, Date.now(), 60000, 3);
      if (rows.length === 0) { empty += 1; await new Promise((r) => setTimeout(r, 5)); continue; }
      empty = 0;
      for (const d of rows) { claimed.push(d.id); if (!store.markSent(d.id, workerData.owner)) throw new Error('lost a lease'); }
      await new Promise((r) => setImmediate(r));
    }
    db.close();
    parentPort.postMessage(claimed);
  })().catch((e) => { throw e; });
`;

test('four connections claiming at once: each delivery is claimed exactly once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orderflow-claim-'));
  try {
    const db = openDatabase(dir);
    seedOutbox(db, 600);
    const store = new DeliveryStore(db);
    assert.equal(store.materialize(['webhook', 'email'], Date.now(), null), 1200);
    assert.equal(store.materialize(['webhook', 'email'], Date.now(), null), 0, 'idempotent');
    db.close();
    const workerData = (owner) => ({ owner, dir, db: new URL('../../web/server/db.js', import.meta.url).href, store: new URL('../../web/server/notify/store.js', import.meta.url).href });
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((owner) => new Promise((resolve, reject) => {
      const w = new Worker(WORKER, { eval: true, workerData: workerData(owner) });
      w.once('message', resolve);
      w.once('error', reject);
    })));
    const all = results.flat();
    assert.equal(all.length, 1200, 'every delivery claimed');
    assert.equal(new Set(all).size, 1200, 'none claimed twice');
    assert.ok(results.filter((r) => r.length > 0).length >= 2, `the work was shared: ${results.map((r) => r.length)}`);
    const check = openDatabase(dir);
    assert.deepEqual(check.prepare('SELECT state, attempts, COUNT(*) AS n FROM notification_deliveries GROUP BY state, attempts').all(), [{ state: 'sent', attempts: 1, n: 1200 }]);
    check.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an expired lease is claimable again; the outcome of the process that lost it is ignored', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orderflow-claim-'));
  try {
    const db = openDatabase(dir);
    seedOutbox(db, 1);
    const store = new DeliveryStore(db);
    store.materialize(['webhook'], 1000, null);
    const [a] = store.claim('dead', 1000, 500, 10);
    assert.ok(a);
    assert.deepEqual(store.claim('other', 1400, 500, 10), [], 'leased: nobody else may take it');
    const [b] = store.claim('other', 1500, 500, 10);
    assert.equal(b.id, a.id, 'free again once the lease expired');
    assert.equal(b.message_id, a.message_id, 'same webhook-id');
    assert.equal(b.attempts, 2);
    assert.equal(store.markFailed(a.id, 'dead', 'late answer'), false, 'fenced: the old owner cannot write');
    assert.equal(store.markSent(b.id, 'other'), true);
    assert.deepEqual(store.claim('third', 99999, 500, 10), [], 'sent is never claimed again');
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('backoff: exponential, capped, jittered within [half, full]', () => {
  for (let attempt = 1; attempt <= 12; attempt++) {
    const full = Math.min(60000, 100 * 2 ** (attempt - 1));
    assert.equal(backoffMs(attempt, 100, 60000, () => 0), full / 2);
    assert.equal(backoffMs(attempt, 100, 60000, () => 1), full);
    const r = backoffMs(attempt, 100, 60000);
    assert.ok(r >= full / 2 && r <= full);
  }
});
