// Resource limits of the reference server, each against its attack: event streams end with
// their session and are capped per user and in total; login is throttled per username and
// address, and per address; idempotency keys expire and are bounded per user while the server runs. (Flooding and
// slow clients: tests/node/server-faults.test.js.) Every server here is its own, with small limits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer } from '../support/server.js';
import { withStoreDb } from '../support/store-db.js';
import { ApiClient } from '../support/client.js';
import { openEventStream } from '../support/events.js';

process.env.ORDERFLOW_EXIT_WITH_PARENT = '1'; // servers started here never outlive this process

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(pred, ms, what) {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) assert.fail(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(20);
  }
}

// Some change of an s1 order that `client` may make: the engine's first allowed option that
// needs no field, found through the API. Answers the order id.
async function changeOne(client, used) {
  const list = (await client.get('/api/v1/orders?store_id=s1&per_page=200')).body.orders;
  for (const o of list) {
    if (used.has(o.id)) continue;
    used.add(o.id);
    const allowed = (await client.get(`/api/v1/orders/${o.id}/allowed_statuses`)).body.allowed;
    for (const opt of allowed.filter((a) => !(a.requires ?? []).length)) {
      const r = await client.put(`/api/v1/orders/${o.id}`, { status: opt.id, lock_version: o.lock_version });
      if (r.status === 200) return o.id;
    }
  }
  return assert.fail('no s1 order could be changed');
}

test('event streams end with their session: logout and expiry close them; nothing is delivered after', async () => {
  const srv = await startServer({ env: { ORDERFLOW_SESSION_TTL_S: '3', ORDERFLOW_SSE_KEEPALIVE_MS: '200' } });
  try {
    const admin = await new ApiClient(srv.url).login('admin');
    const leaving = await new ApiClient(srv.url).login('manager');
    const expiring = await new ApiClient(srv.url).login('manager');
    const a = openEventStream(srv.url, { Authorization: `Bearer ${leaving.token}` });
    const b = openEventStream(srv.url, { Authorization: `Bearer ${expiring.token}` });
    await Promise.all([a.ready, b.ready]);
    assert.equal(a.status, 200);
    assert.equal(b.status, 200);
    const used = new Set();
    const first = await changeOne(admin, used);
    await until(() => a.events.length && b.events.length, 3000, 'the first event on both streams');
    assert.equal(a.events[0].id, first);

    assert.equal((await leaving.post('/api/auth/logout', {})).status, 200);
    await until(() => a.ended, 2000, "the logged-out session's stream to end");
    assert.equal(b.ended, false, "the other session's stream is still open");

    // the second session expires 3 s after its login: its stream ends, and /me says 401
    await until(() => b.ended, 5000, "the expired session's stream to end");
    assert.equal((await expiring.get('/api/auth/me')).status, 401);
    const admin2 = await new ApiClient(srv.url).login('admin');
    const late = openEventStream(srv.url, { Authorization: `Bearer ${admin2.token}` });
    await late.ready;
    const second = await changeOne(admin2, used);
    await until(() => late.events.some((e) => e.id === second), 3000, 'the event on a live stream');
    assert.deepEqual(
      a.events.map((e) => e.id),
      [first],
      'nothing after logout',
    );
    assert.deepEqual(
      b.events.map((e) => e.id),
      [first],
      'nothing after expiry',
    );
    const health = await admin2.get('/api/health');
    assert.equal(health.body.event_streams, 1, 'only the live stream is counted');
    late.close();
  } finally {
    await srv.stop();
  }
});

test('event streams are capped per user (429) and in total (503), with Retry-After; a closed one frees its slot', async () => {
  const srv = await startServer({ env: { ORDERFLOW_MAX_STREAMS_PER_USER: '3', ORDERFLOW_MAX_STREAMS: '5' } });
  const open = [];
  try {
    const [rep, man, adm] = await Promise.all(['reporting', 'manager', 'admin'].map((u) => new ApiClient(srv.url).login(u)));
    for (let i = 0; i < 3; i++) open.push(openEventStream(srv.url, { Authorization: `Bearer ${rep.token}` }));
    await Promise.all(open.map((s) => s.ready));
    assert.deepEqual(
      open.map((s) => s.status),
      [200, 200, 200],
    );
    const fourth = openEventStream(srv.url, { Authorization: `Bearer ${rep.token}` });
    await fourth.ready;
    assert.equal(fourth.status, 429);
    assert.ok(Number(fourth.headers['retry-after']) >= 1);
    const body = JSON.parse(fourth.body);
    assert.equal(body.error.code, 'too_many_streams');
    assert.match(body.error.message, /At most 3 event streams per user/);

    for (let i = 0; i < 2; i++) open.push(openEventStream(srv.url, { Authorization: `Bearer ${man.token}` }));
    await Promise.all(open.map((s) => s.ready));
    assert.deepEqual(
      open.map((s) => s.status),
      [200, 200, 200, 200, 200],
    );
    const full = openEventStream(srv.url, { Authorization: `Bearer ${adm.token}` });
    await full.ready;
    assert.equal(full.status, 503);
    assert.ok(Number(full.headers['retry-after']) >= 1);
    assert.match(JSON.parse(full.body).error.message, /maximum of 5 event streams/);

    open.shift().close();
    let again;
    const end = Date.now() + 3000;
    do {
      await sleep(50);
      again = openEventStream(srv.url, { Authorization: `Bearer ${rep.token}` });
      await again.ready;
    } while (again.status !== 200 && Date.now() < end);
    assert.equal(again.status, 200, 'a closed stream frees its slot');
    open.push(again);
    assert.equal((await adm.get('/api/health')).body.event_streams, 5);
  } finally {
    for (const s of open) s.close();
    await srv.stop();
  }
});

test('idempotency keys: a flood of fresh keys keeps at most N answers and B bytes per user; keys expire while the server runs', async () => {
  const MAX_KEYS = 20;
  const MAX_BYTES = 40000;
  const FLOOD = 150;
  const srv = await startServer({
    env: {
      ORDERFLOW_RATE_LIMIT: 'off',
      ORDERFLOW_IDEMPOTENCY_MAX_KEYS: String(MAX_KEYS),
      ORDERFLOW_IDEMPOTENCY_MAX_BYTES: String(MAX_BYTES),
      ORDERFLOW_IDEMPOTENCY_TTL_S: '3',
    },
  });
  // keys kept and bytes of their stored answers, read from the database (SQLite or PostgreSQL)
  const stored = (who) =>
    withStoreDb(srv, (db) =>
      db.get(
        `SELECT COUNT(*) AS n,
    COALESCE(SUM(${db.kind === 'postgres' ? 'octet_length(body)' : 'length(CAST(body AS BLOB))'}), 0) AS bytes FROM idempotency_keys WHERE username = ?`,
        who,
      ),
    );
  try {
    const [rep, admin] = await Promise.all(['reporting', 'admin'].map((u) => new ApiClient(srv.url).login(u)));
    // refused bulk requests (a read-only user), 60 ids each: every answer is a few KB
    const ids = Array.from({ length: 60 }, (_, i) => i + 1);
    let last;
    for (let i = 0; i < FLOOD; i++) {
      last = await rep.post(
        '/api/v1/orders/bulk_update',
        { order_ids: ids, status: 'processing' },
        { headers: { 'Idempotency-Key': `flood-${i}` } },
      );
      assert.equal(last.status, 200);
    }
    const answerBytes = Buffer.byteLength(last.text);
    assert.ok(answerBytes * MAX_KEYS > MAX_BYTES, `answers of ${answerBytes} bytes: the byte bound bites before the count`);
    const after = await stored('reporting');
    assert.ok(after.n >= 1 && after.n <= MAX_KEYS, `${after.n} keys kept for ${FLOOD} requests`);
    assert.ok(after.bytes <= MAX_BYTES + answerBytes, `${after.bytes} bytes kept (bound ${MAX_BYTES})`);
    // the newest answer is still replayed
    const again = await rep.post(
      '/api/v1/orders/bulk_update',
      { order_ids: ids, status: 'processing' },
      { headers: { 'Idempotency-Key': `flood-${FLOOD - 1}` } },
    );
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(again.body, last.body);
    // another user's keys are not touched by this user's flood
    const mine = await admin.get('/api/v1/orders?per_page=1');
    const o = mine.body.orders[0];
    await admin.put(
      `/api/v1/orders/${o.id}`,
      { status: 'bogus', lock_version: o.lock_version },
      { headers: { 'Idempotency-Key': 'admin-1' } },
    );
    assert.equal((await stored('admin')).n, 1);
    // no request from anyone: the keys expire (TTL 3 s) while the server runs
    const end = Date.now() + 8000;
    while (((await stored('reporting')).n || (await stored('admin')).n) && Date.now() < end) await sleep(200);
    assert.deepEqual([(await stored('reporting')).n, (await stored('admin')).n], [0, 0], 'expired keys are purged without a restart');
    const fresh = await rep.post(
      '/api/v1/orders/bulk_update',
      { order_ids: ids, status: 'processing' },
      { headers: { 'Idempotency-Key': `flood-${FLOOD - 1}` } },
    );
    assert.equal(fresh.headers.get('idempotent-replayed'), null, 'an expired key is a new request');
  } finally {
    await srv.stop();
  }
});

// A login from a chosen loopback address (127.0.0.x: all are this machine on Linux).
function loginFrom(url, localAddress, username, password) {
  const u = new URL(url);
  const payload = JSON.stringify({ username, password });
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        method: 'POST',
        path: '/api/auth/login',
        localAddress,
        agent: false,
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode, retryAfter: Number(res.headers['retry-after']), body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

test('login is throttled per username and address, and per address: 429 with Retry-After; another address still signs in', async () => {
  const srv = await startServer({
    env: {
      ORDERFLOW_LOGIN_MAX_FAILURES: '3',
      ORDERFLOW_LOGIN_MAX_FAILURES_PER_ADDRESS: '6',
      ORDERFLOW_LOGIN_LOCKOUT_S: '2',
      ORDERFLOW_RATE_LIMIT: 'off',
    },
  });
  try {
    const A = '127.0.0.1';
    const B = '127.0.0.2';
    const C = '127.0.0.3';
    // per username from one address: two failures are 401, the third locks the account there
    assert.equal((await loginFrom(srv.url, A, 'manager', 'guess1')).status, 401);
    assert.equal((await loginFrom(srv.url, A, 'manager', 'guess2')).status, 401);
    const third = await loginFrom(srv.url, A, 'manager', 'guess3');
    assert.equal(third.status, 429);
    assert.ok(third.retryAfter >= 1 && third.retryAfter <= 2, `Retry-After ${third.retryAfter}`);
    assert.equal(third.body.error.code, 'login_throttled');
    assert.equal(third.body.message, `Too many failed logins from this address; retry in ${third.retryAfter} s`);
    assert.equal(
      (await loginFrom(srv.url, A, 'manager', 'demo')).status,
      429,
      'the right password from that address waits out the lock-out',
    );
    // the lock is not the account's: its owner elsewhere signs in, and has their own count
    assert.equal((await loginFrom(srv.url, B, 'manager', 'demo')).status, 200, 'another address signs in while one is locked out');
    assert.equal((await loginFrom(srv.url, C, 'manager', 'typo')).status, 401);
    assert.equal((await loginFrom(srv.url, C, 'manager', 'demo')).status, 200);
    assert.equal((await loginFrom(srv.url, A, 'admin', 'demo')).status, 200, 'other accounts from the locked address are not locked');
    // a success clears its (username, address) count
    assert.equal((await loginFrom(srv.url, C, 'admin', 'wrong')).status, 401);
    assert.equal((await loginFrom(srv.url, C, 'admin', 'wrong')).status, 401);
    assert.equal((await loginFrom(srv.url, C, 'admin', 'demo')).status, 200);
    assert.equal((await loginFrom(srv.url, C, 'admin', 'wrong')).status, 401, 'the count started again');
    // per address: six failures from B over many usernames lock B, not the others
    for (let i = 0; i < 5; i++) assert.equal((await loginFrom(srv.url, B, `nobody${i}`, 'x')).status, 401);
    const sixth = await loginFrom(srv.url, B, 'nobody9', 'x');
    assert.equal(sixth.status, 429, 'the sixth failure from one address');
    assert.equal((await loginFrom(srv.url, B, 'reporting', 'demo')).status, 429, 'that address is locked for every account');
    assert.equal((await loginFrom(srv.url, A, 'reporting', 'demo')).status, 200, 'another address is not');
    // after the lock-out window, the right password works
    await sleep(2300);
    const after = await loginFrom(srv.url, A, 'manager', 'demo');
    assert.equal(after.status, 200, JSON.stringify(after.body));
    assert.equal((await loginFrom(srv.url, B, 'reporting', 'demo')).status, 200);
  } finally {
    await srv.stop();
  }
});

test('an account guessed at from many addresses is slowed, never locked: the right password still signs in', async () => {
  const SLOW_MS = 1500;
  const srv = await startServer({
    env: {
      ORDERFLOW_LOGIN_MAX_FAILURES: '2',
      ORDERFLOW_LOGIN_SLOW_AFTER: '4',
      ORDERFLOW_LOGIN_SLOW_MS: String(SLOW_MS),
      ORDERFLOW_RATE_LIMIT: 'off',
    },
  });
  const timed = async (address, password) => {
    const t0 = Date.now();
    const r = await loginFrom(srv.url, address, 'driver', password);
    return { status: r.status, ms: Date.now() - t0 };
  };
  try {
    // four sources, one failure each: under every lock, and up to the ceiling, not slowed
    const first = await timed('127.0.1.1', 'guess');
    assert.equal(first.status, 401);
    assert.ok(first.ms < SLOW_MS, `a failure under the ceiling took ${first.ms} ms`);
    for (let i = 2; i <= 4; i++) assert.equal((await timed(`127.0.1.${i}`, 'guess')).status, 401);
    // past the ceiling: more sources are answered, slowly, and none is locked out
    for (let i = 5; i <= 6; i++) {
      const r = await timed(`127.0.1.${i}`, 'guess');
      assert.equal(r.status, 401, 'slowed, not refused');
      assert.ok(r.ms >= SLOW_MS, `a failure past the ceiling took ${r.ms} ms`);
    }
    const owner = await timed('127.0.2.1', 'demo');
    assert.equal(owner.status, 200, 'the right password signs in');
    assert.ok(owner.ms >= SLOW_MS, `the right password took ${owner.ms} ms: as long as a wrong one`);
  } finally {
    await srv.stop();
  }
});
