// Routing edge cases of the Fastify port that must answer as the hand-written router did: an
// over-long or badly percent-encoded id is the route's own 400, a repeated query parameter counts
// with its first value, unknown paths are 404 and other methods 405 with Allow, HEAD of a GET
// route answers without a body, a mutation sent without a body answers as one with an empty body;
// every answer is the dialect's JSON with the security headers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/server.js';
import { ApiClient } from '../support/client.js';

let srv;
let admin;
before(async () => {
  srv = await startServer();
  admin = await new ApiClient(srv.url).login('admin');
});
after(() => srv?.stop());

test('an over-long id is a 400 naming the id, in each dialect', async () => {
  const long = '1'.repeat(300);
  const cms = await admin.get(`/api/v1/orders/${long}`);
  assert.equal(cms.status, 400);
  assert.equal(cms.body.error.message, `Order id must be a positive integer, got "${long.slice(0, 40)}"`);
  const del = await admin.get(`/api/orders/${long}/history`);
  assert.equal(del.status, 400);
  assert.equal(del.body.success, false);
  assert.match(del.body.message, /positive integer/);
});

test('a badly percent-encoded id is echoed as sent', async () => {
  const r = await admin.get('/api/v1/orders/7%E0%A4%A');
  assert.equal(r.status, 400);
  assert.equal(r.body.error.message, 'Order id must be a positive integer, got "7%E0%A4%A"');
});

test('a repeated query parameter counts with its first value', async () => {
  const r = await admin.get('/api/v1/orders?per_page=3&per_page=5000&page=1&page=x');
  assert.equal(r.status, 200);
  assert.equal(r.body.per_page, 3);
  assert.equal(r.body.orders.length, 3);
});

test('404 for an unknown path, 405 with Allow for another method, HEAD of a GET route', async () => {
  for (const path of ['/api/v1/orders//1', '/api/v1/orders/1/', '/api/nothing']) {
    const r = await admin.get(path);
    assert.equal(r.status, 404, path);
    assert.match(r.body.error?.message ?? r.body.message, /No such endpoint/);
  }
  const options = await admin.request('OPTIONS', '/api/orders/1');
  assert.equal(options.status, 405);
  assert.equal(options.headers.get('allow'), 'GET');
  assert.equal(options.body.success, false);
  const head = await fetch(`${srv.url}/api/v1/orders/1`, { method: 'HEAD', headers: { Authorization: `Bearer ${admin.token}` } });
  assert.equal(head.status, 200);
  assert.equal(await head.text(), '');
  assert.match(head.headers.get('content-security-policy'), /default-src 'self'/);
  assert.equal(head.headers.get('cache-control'), 'no-store');
});

// A mutation sent without any body never reaches the body parser; it must answer as one with an
// empty body would: 415 without a JSON Content-Type, else the empty-body 400, in each dialect.
test('a mutation without a body: 415 without a JSON Content-Type, else 400 "empty", in each dialect', async () => {
  const send = (method, path, headers = {}) =>
    fetch(`${srv.url}${path}`, { method, headers: { Authorization: `Bearer ${admin.token}`, ...headers } });
  const none = await send('PUT', '/api/v1/orders/1');
  assert.equal(none.status, 415);
  assert.deepEqual(await none.json(), {
    error: { code: 'unsupported_media_type', message: 'Content-Type must be application/json, got "none"' },
  });
  assert.match(none.headers.get('content-security-policy'), /default-src 'self'/);
  const empty = { error: { code: 'bad_request', message: 'Request body is empty; a JSON object is required' } };
  const cms = await send('PUT', '/api/v1/orders/1', { 'Content-Type': 'application/json' });
  assert.equal(cms.status, 400);
  assert.deepEqual(await cms.json(), empty);
  const bulk = await send('POST', '/api/v1/orders/bulk_update', { 'Content-Type': 'application/json' });
  assert.equal(bulk.status, 400);
  assert.deepEqual(await bulk.json(), empty);
  const del = await send('PUT', '/api/orders/1/status', { 'Content-Type': 'text/plain' });
  assert.equal(del.status, 415);
  assert.deepEqual(await del.json(), { success: false, message: 'Content-Type must be application/json, got "text/plain"' });
  const delEmpty = await send('PUT', '/api/orders/1/status', { 'Content-Type': 'application/json' });
  assert.equal(delEmpty.status, 400);
  assert.equal((await delEmpty.json()).message, 'Request body is empty; a JSON object is required');
});
