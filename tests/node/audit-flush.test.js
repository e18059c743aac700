// The audit trail's flush over a store whose writes take real time (as PostgreSQL's do): a
// flush({all: true}) (what GET /api/v1/audit calls) resolves only once every refusal recorded
// before it is written, also when another flush started meanwhile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AuditTrail } from '../../web/server/audit.js';

const tick = () => new Promise((r) => setImmediate(r));

test('flush({all: true}) waits for every flush in flight, not only the first it met', async () => {
  const written = [];
  // each transaction takes 30 ms, like a round trip to a busy database
  const store = {
    transaction: async (fn) => {
      await new Promise((r) => setTimeout(r, 30));
      return fn({
        audit: {
          append: async (rows) => {
            written.push(...rows.map((r) => r.order_id));
          },
        },
      });
    },
  };
  const audit = new AuditTrail(store, { log: { error() {} } });
  const entry = (id) => ({
    username: 'ann',
    workflow: 'cms',
    order_id: id,
    target_status: 'x',
    http_status: 409,
    codes: ['conflict'],
    source: 'api',
  });
  audit.record(entry(1));
  await tick(); // flush A (order 1) is writing
  audit.record(entry(2));
  await tick(); // flush C (order 2) waits for A
  await audit.flush({ all: true }); // B: the listing's flush, also waiting for A
  assert.deepEqual(written, [1, 2], 'order 2 was written before the listing could read');
});
