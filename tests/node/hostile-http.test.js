// Hostile clients at the HTTP level, beyond the table of tests/node/hostile.test.js: request
// targets in absolute form, HEAD on the event stream, clients that drop the connection in the
// middle of a body. Each answer must be the route's own (its dialect, its words), cost the
// server nothing it logs as its own failure, and the audit trail must see what it always sees.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/server.js';
import { ApiClient } from '../support/client.js';
import net from 'node:net';
import { sendRaw } from './support/hostile-inputs.js';

let srv;
let admin;
before(async () => {
  srv = await startServer();
  admin = await new ApiClient(srv.url).login('admin');
});
after(() => srv?.stop());

const port = () => Number(new URL(srv.url).port);
const json = (res) => JSON.parse(res.text);

// One request in absolute form (`PUT http://host/path HTTP/1.1`), as a proxy sends it.
function absolute(method, path, { headers = {}, body } = {}) {
  const text = body === undefined ? '' : JSON.stringify(body);
  const head = Object.entries({ Host: 'x', Authorization: `Bearer ${admin.token}`, ...headers })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  const framing = body === undefined ? '' : `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\n`;
  return rawRequest(`${method} http://x:${port()}${path} HTTP/1.1\r\n${head}${framing}Connection: close\r\n\r\n${text}`);
}

// One whole request on a new connection, answered {status, head, text}. Unlike sendRaw (support/hostile-inputs.js) this does
// not half-close the connection after writing: node:http drops a request whose client has ended
// its side (httpAllowHalfOpen false), which an answer needing the database (PostgreSQL) then misses.
function rawRequest(text) {
  return new Promise((resolve) => {
    const s = net.connect(port(), '127.0.0.1', () => s.write(text));
    let out = '';
    s.setEncoding('latin1');
    s.on('data', (c) => (out += c));
    s.on('error', () => {});
    s.on('close', () => {
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(out);
      const i = out.indexOf('\r\n\r\n');
      resolve({ status: m ? Number(m[1]) : 0, head: i < 0 ? out : out.slice(0, i), text: i < 0 ? '' : out.slice(i + 4) });
    });
    s.setTimeout(5000, () => s.destroy());
  });
}

async function auditCount() {
  const r = await admin.get('/api/v1/audit?limit=1000');
  assert.equal(r.status, 200);
  return r.body.entries.length;
}

test('a request target in absolute form is routed and answered as its path', async () => {
  // the order id is the path's, not "v1"; the answer is the dialect's
  const put = await absolute('PUT', '/api/v1/orders/1', { body: { status: 'no_such_status', lock_version: 0 } });
  assert.equal(put.status, 422, put.text);
  assert.equal(json(put).error.code, 'refused');
  const bad = await absolute('GET', '/api/orders/abc');
  assert.equal(bad.status, 400);
  assert.deepEqual(json(bad), { success: false, message: 'Order id must be a positive integer, got "abc"' });
  const one = await absolute('GET', '/api/v1/orders/1?x=1');
  assert.equal(one.status, 200);
  assert.equal(json(one).order.id, 1);
  const missing = await absolute('GET', '/api/nothing');
  assert.equal(missing.status, 404);
  assert.match(json(missing).message, /^No such endpoint: GET \/api\/nothing$/);
});

test('refusals sent in absolute form are in the audit trail like any other', async () => {
  const before0 = await auditCount();
  const bulk = await absolute('POST', '/api/v1/orders/bulk_update', { body: { order_ids: [1, 2], status: 'no_such_status' } });
  assert.equal(bulk.status, 200, bulk.text);
  assert.equal(json(bulk).failed, 2);
  const pos = await absolute('POST', '/api/v1/webhooks/pos', {
    headers: { 'X-Webhook-Secret': 'demo-pos-secret' },
    body: { order_id: 1, status: 'no_such_status' },
  });
  assert.equal(pos.status, 422, pos.text);
  // before: neither was recorded (the trail did not recognize the route in "http://x/api/...")
  assert.equal(await auditCount(), before0 + 3);
});

test('HEAD of the event stream: its headers, no stream, no error', async () => {
  const head = await fetch(`${srv.url}/api/v1/events`, { method: 'HEAD', headers: { Authorization: `Bearer ${admin.token}` } });
  assert.equal(head.status, 200); // was 500: the HEAD handler measured an object body
  assert.match(head.headers.get('content-type'), /^text\/event-stream/);
  assert.equal(await head.text(), '');
  assert.equal((await admin.get('/api/health')).body.event_streams, 0);
  const anon = await fetch(`${srv.url}/api/v1/events`, { method: 'HEAD' });
  assert.equal(anon.status, 401);
  assert.doesNotMatch(srv.output(), /internal error/);
});

test('a client that drops the connection in the middle of a body costs no error log and changes nothing', async () => {
  const order = (await admin.get('/api/v1/orders/3')).body.order;
  for (let i = 0; i < 5; i++) {
    await new Promise((resolve) => {
      const s = net.connect(port(), '127.0.0.1', () => {
        s.write(
          `PUT /api/v1/orders/3 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${admin.token}\r\n` +
            `Content-Type: application/json\r\nContent-Length: 200\r\n\r\n{"status":"processing",`,
        );
        setTimeout(() => s.destroy(), 100);
      });
      s.on('close', resolve);
      s.on('error', () => {});
    });
  }
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual((await admin.get('/api/v1/orders/3')).body.order, order);
  // before: "orderflow: internal error Error: request aborted" and a stack trace, per connection
  assert.doesNotMatch(srv.output(), /internal error|request aborted/);
});

test("malformed HTTP is answered with the API's error body naming the problem", async () => {
  // [request, status, message, refused by the HTTP parser (the connection is closed after it)]
  const cases = [
    ['FOO /api/health HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'Malformed request: unknown HTTP method', true],
    ['GET /api/health x HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'Malformed request line (method, path, HTTP/1.1)', true],
    ['GET /api/health HTTP/1.1\r\nHost: x\r\nX-A: a\u0001b\r\n\r\n', 400, 'Malformed request header', true],
    [
      'PUT /api/v1/orders/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 0x10\r\n\r\n',
      400,
      'Malformed request: invalid or conflicting Content-Length',
      true,
    ],
    [
      `PUT /api/v1/orders/1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2;${'x'.repeat(20000)}\r\n{}\r\n0\r\n\r\n`,
      400,
      'Malformed chunked request body',
      true,
    ],
    // before: node:http's bare 400, no body at all
    ['GET /api/health HTTP/1.1\r\nConnection: close\r\n\r\n', 400, 'The Host header is required (HTTP/1.1)', false],
  ];
  for (const [text, status, message, parser] of cases) {
    const res = await rawRequest(text);
    assert.equal(res.status, status, text.slice(0, 60));
    // before: {"error":"Bad Request","message":"Client Error","statusCode":400}
    assert.deepEqual(JSON.parse(res.text), { success: false, message, error: { code: 'bad_request', message } });
    if (parser) assert.match(res.head, /\r\nconnection: close/i);
  }
});

test('a request that does not arrive in time: 408 with a body that says so', async () => {
  const slow = await startServer({ env: { ORDERFLOW_HEADERS_TIMEOUT_MS: '300', ORDERFLOW_REQUEST_TIMEOUT_MS: '300' } });
  try {
    const started = Date.now();
    const answer = await new Promise((resolve) => {
      const s = net.connect(Number(new URL(slow.url).port), '127.0.0.1', () => s.write('GET /api/health HTTP/1.1\r\nHost: x\r\n'));
      let out = '';
      s.setEncoding('latin1');
      s.on('data', (c) => (out += c));
      s.on('close', () => resolve(out));
      s.on('error', () => {});
    });
    assert.ok(Date.now() - started < 5000);
    assert.match(answer, /^HTTP\/1\.1 408 /);
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
    assert.equal(body.error.code, 'request_timeout');
    assert.equal(body.message, 'The request did not arrive in time; send it again');
  } finally {
    await slow.stop();
  }
});

test('a path in the API space written with extra slashes, an encoded slash or capitals is a JSON 404, not the UI page', async () => {
  for (const path of ['//api/v1/orders/1', '/api%2Fv1/orders/1', '/API/health', '///api']) {
    for (const method of ['GET', 'PUT']) {
      const r = await admin.request(method, path, method === 'PUT' ? { body: { status: 'processing', lock_version: 0 } } : {});
      // before: GET answered the UI's index.html with 200, PUT a text/plain 405
      assert.equal(r.status, 404, `${method} ${path}: ${r.text.slice(0, 80)}`);
      assert.match(r.headers.get('content-type'), /^application\/json/);
      assert.equal(r.body.error.message, `No such endpoint: ${method} ${path}`);
    }
  }
  const page = await fetch(`${srv.url}/orders/5`);
  assert.equal(page.status, 200); // the UI's own routes still get the page
  assert.match(page.headers.get('content-type'), /^text\/html/);
});

test('a flood without the POS secret spends its own address budget, never the point-of-sale system’s', async () => {
  const limited = await startServer({ env: { ORDERFLOW_RATE_LIMIT: '2:10' } });
  try {
    const pos = (secret, body = { order_id: 1, status: 'no_such_status' }) =>
      fetch(`${limited.url}/api/v1/webhooks/pos`, {
        method: 'POST',
        headers: { 'X-Webhook-Secret': secret, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    const flood = await Promise.all(Array.from({ length: 30 }, () => pos('wrong').then((r) => r.status)));
    assert.ok(flood.includes(401) && flood.includes(429), `the flood is limited: ${flood}`);
    // before: the flood had emptied the 'pos' bucket, and the real POS system got 429 too
    const real = await pos('demo-pos-secret');
    const text = await real.text();
    assert.equal(real.status, 422, text);
    assert.equal(JSON.parse(text).errors[0].code, 'unknown_status');
  } finally {
    await limited.stop();
  }
});

test("a finished job's results are charged like a list of that many orders", async () => {
  const limited = await startServer({ env: { ORDERFLOW_RATE_LIMIT: '50:30' } });
  try {
    const user = await new ApiClient(limited.url).login('reporting'); // read-only: every order refused
    const ids = Array.from({ length: 2000 }, (_, i) => 5000000 + i); // none exists: quick to run
    const submitted = await user.post('/api/v1/orders/bulk_update', { order_ids: ids, status: 'processing' });
    assert.equal(submitted.status, 202, submitted.text.slice(0, 200));
    const path = `/api/v1/jobs/${submitted.body.job_id}`;
    let job;
    for (let i = 0; i < 100 && job?.state !== 'done'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const r = await user.get(`${path}?results=0`); // progress only: one token
      if (r.status === 200) job = r.body.job;
    }
    assert.equal(job?.state, 'done');
    await new Promise((r) => setTimeout(r, 1500)); // a full bucket again
    const first = await user.get(path);
    assert.equal(first.status, 200);
    assert.equal(first.body.job.results.length, 2000);
    // 2,000 results: 40 tokens, as a list of 2,000 orders; before, one token however large
    const second = await user.get(path);
    assert.equal(second.status, 429, `HTTP ${second.status}`);
    assert.ok(Number(second.headers.get('retry-after')) >= 1);
  } finally {
    await limited.stop();
  }
});

// Sends `head`, then up to `total` bytes of body as fast as the server takes them; answers the
// status line, and how much the server took before it closed the connection.
function pour(head, total) {
  return new Promise((resolve) => {
    const chunk = Buffer.alloc(1 << 20, 0x20);
    const s = net.connect(port(), '127.0.0.1');
    let out = '';
    let sent = 0;
    s.setEncoding('latin1');
    s.on('data', (d) => (out += d));
    s.on('error', () => {});
    const pump = () => {
      while (sent < total && !s.destroyed) {
        sent += chunk.length;
        if (!s.write(chunk)) return void s.once('drain', pump);
      }
    };
    s.on('close', () => resolve({ status: out.split('\r\n')[0], sentMb: sent >> 20 }));
    s.write(head);
    pump();
    setTimeout(() => s.destroy(), 20000);
  });
}

test('a huge body nobody reads (a route without a body, a refused request) is not read to its end', async () => {
  const gb = 1024 * 1024 * 1024;
  for (const [head, status] of [
    [`GET /api/health HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${gb}\r\n\r\n`, '200'],
    [`PUT /api/v1/orders/1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${gb}\r\n\r\n`, '401'],
    [`POST /api/auth/logout HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${gb.toString(16)}\r\n`, '401'],
  ]) {
    const started = Date.now();
    const r = await pour(head, gb);
    assert.match(r.status, new RegExp(`^HTTP/1.1 ${status} `), head.split('\r\n')[0]);
    // before: node:http read the whole gigabyte (about 0.5 s of the server's CPU) before closing
    assert.ok(r.sentMb < 256, `${head.split('\r\n')[0]}: the server took ${r.sentMb} MB`);
    assert.ok(Date.now() - started < 5000);
  }
  assert.equal((await admin.get('/api/health')).status, 200);
});

test('a client that ends its side after sending the request still gets the answer', async () => {
  const body = JSON.stringify({ status: 'no_such_status', lock_version: 0 });
  for (let i = 0; i < 5; i++) {
    // sendRaw half-closes the connection once the request is written, as `nc -N` does
    const res = await sendRaw(
      srv.url,
      `PUT /api/v1/orders/1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${admin.token}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    // before, on PostgreSQL: no answer at all (the request was dropped when the client's FIN came)
    assert.equal(res.status, 422, res.text.slice(0, 200));
    assert.equal(JSON.parse(res.text).error.code, 'refused');
  }
});

test('an Idempotency-Key: in progress 409 while its bulk runs, another user’s key is their own', async () => {
  const slow = await startServer({ env: { ORDERFLOW_BULK_CHUNK: '10', ORDERFLOW_TEST_BULK_PAUSE_MS: '100' } });
  try {
    const [a, b] = await Promise.all(['admin', 'manager'].map((u) => new ApiClient(slow.url).login(u)));
    const ids = Array.from({ length: 60 }, (_, i) => 7000000 + i); // six chunks, 0.5 s at least
    const body = { order_ids: ids, status: 'no_such_status' };
    const headers = { 'Idempotency-Key': 'bulk-key-1' };
    const first = a.post('/api/v1/orders/bulk_update', body, { headers });
    await new Promise((r) => setTimeout(r, 150));
    const again = await a.post('/api/v1/orders/bulk_update', body, { headers });
    assert.equal(again.status, 409, again.text.slice(0, 200));
    assert.equal(again.body.error.code, 'idempotency_in_progress');
    assert.equal(again.headers.get('retry-after'), '1');
    const other = await a.post('/api/v1/orders/bulk_update', { ...body, status: 'cancelled' }, { headers });
    assert.equal(other.status, 422, 'another request under the same key, even while it runs');
    assert.equal(other.body.error.code, 'idempotency_key_reused');
    // the same key sent by another user is that user's own request, never the first one's answer
    const theirs = await b.post('/api/v1/orders/bulk_update', { order_ids: [7000000], status: 'no_such_status' }, { headers });
    assert.equal(theirs.status, 200, theirs.text.slice(0, 200));
    assert.equal(theirs.headers.get('idempotent-replayed'), null);
    assert.equal(theirs.body.results.length, 1);
    const done = await first;
    assert.equal(done.status, 200);
    assert.equal(done.body.failed, 60);
    const replay = await a.post('/api/v1/orders/bulk_update', body, { headers });
    assert.equal(replay.status, 200);
    assert.equal(replay.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(replay.body, done.body);
  } finally {
    await slow.stop();
  }
});

test('one account keeps at most ORDERFLOW_MAX_SESSIONS_PER_USER sessions, its oldest end first', async () => {
  const capped = await startServer({ env: { ORDERFLOW_MAX_SESSIONS_PER_USER: '3' } });
  try {
    const other = await new ApiClient(capped.url).login('manager');
    const logins = [];
    for (let i = 0; i < 5; i++) logins.push(await new ApiClient(capped.url).login('reporting'));
    // before: every login added a session for 12 h (about 47 a second from one address)
    const answers = [];
    for (const c of logins) answers.push((await c.get('/api/auth/me')).status);
    assert.deepEqual(answers, [401, 401, 200, 200, 200]);
    assert.equal((await other.get('/api/auth/me')).status, 200, "another account's session is untouched");
  } finally {
    await capped.stop();
  }
});
