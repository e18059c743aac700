// The OpenAPI document (GET /api/openapi.json, generated from the routes' JSON Schemas) and
// docs/rest-api.md name the same routes: every `METHOD /api/...` the document mentions is an
// operation of the OpenAPI document with the same method and path, and every operation is
// documented. Each operation describes its answers, and its path parameters and body where it has them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer } from '../support/server.js';

let srv;
let doc;
before(async () => {
  srv = await startServer();
  const r = await fetch(`${srv.url}/api/openapi.json`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^application\/json/);
  doc = await r.json();
});
after(() => srv?.stop());

// "GET /api/v1/orders/:id/history" -> "GET /api/v1/orders/{id}/history" (query and [optional] parts dropped)
function docsRoutes() {
  const text = readFileSync(new URL('../../docs/rest-api.md', import.meta.url), 'utf8');
  const out = new Set();
  for (const m of text.matchAll(/`(GET|PUT|POST|PATCH|DELETE) (\/api[^`\s]*)/g)) {
    const path = m[2]
      .replace(/\[.*$/, '')
      .replace(/\?.*$/, '')
      .replace(/:([a-z_]+)/g, '{$1}');
    out.add(`${m[1]} ${path}`);
  }
  return out;
}

function openapiRoutes() {
  const out = new Set();
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const method of Object.keys(ops)) if (method !== 'head') out.add(`${method.toUpperCase()} ${path}`);
  }
  return out;
}

test('OpenAPI 3 document of the server', () => {
  assert.match(doc.openapi, /^3\./);
  assert.ok(doc.info.title);
  assert.ok(Object.keys(doc.paths).length >= 25, `${Object.keys(doc.paths).length} paths`);
});

test('docs/rest-api.md and the OpenAPI document name the same routes', () => {
  const documented = docsRoutes();
  const served = openapiRoutes();
  const undocumented = [...served].filter((r) => !documented.has(r));
  const missing = [...documented].filter((r) => !served.has(r));
  assert.deepEqual(undocumented, [], 'routes the server has that docs/rest-api.md does not name');
  assert.deepEqual(missing, [], 'routes docs/rest-api.md names that the server does not have');
});

test('every operation describes its answers, path parameters and body', () => {
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const where = `${method.toUpperCase()} ${path}`;
      assert.ok(op.responses && Object.keys(op.responses).some((c) => /^2/.test(c)), `${where}: a 2xx answer`);
      for (const name of path.matchAll(/\{([a-z_]+)\}/g)) {
        assert.ok(
          (op.parameters ?? []).some((p) => p.in === 'path' && p.name === name[1]),
          `${where}: path parameter ${name[1]}`,
        );
      }
      if (method === 'put' || path.endsWith('bulk_update') || path.endsWith('/pos') || path.endsWith('/login')) {
        const schema = op.requestBody?.content?.['application/json']?.schema;
        assert.ok(schema, `${where}: a request body schema`);
        assert.equal(schema.additionalProperties, false, `${where}: unknown body keys are refused`);
      }
    }
  }
});

test('the schemas are the ones that validate: a body the OpenAPI document refuses is refused', async () => {
  const login = await fetch(`${srv.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: 'demo' }),
  }).then((r) => r.json());
  const put = doc.paths['/api/v1/orders/{id}'].put.requestBody.content['application/json'].schema;
  assert.deepEqual(put.required, ['status', 'lock_version']);
  const r = await fetch(`${srv.url}/api/v1/orders/1`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${login.token}` },
    body: JSON.stringify({ status: 'processing' }),
  });
  assert.equal(r.status, 400);
  assert.match((await r.json()).error.message, /lock_version is required/);
});
