// Storage of notification deliveries (PostgreSQL); same methods and answers as
// store/sqlite/deliveries.js (read its header for the lease protocol).
//
// Claiming across instances: claim() is ONE statement, UPDATE ... WHERE id IN (SELECT due,
// unleased rows ... FOR UPDATE SKIP LOCKED) AND the same conditions again ... RETURNING. Two
// instances claiming at the same moment lock disjoint rows (each skips what the other holds), and
// the repeated outer conditions keep it right under READ COMMITTED (a row leased meanwhile no
// longer matches). Outcomes are written only WHERE lease_owner = <me>.
//
// Materializing singles: PostgreSQL hands out identity values at INSERT time, not in commit
// order, so a notification with a lower id can become visible after a higher one. Each pass
// therefore looks again at a window of ids below the watermark (NOT EXISTS and the
// (notification_id, channel) key make that free of duplicates); rescan() stays as the safety net.
import { CHANNEL_NONE } from '../channels.js';
import { statement, transaction } from './pool.js';

const LOOKBACK = 200; // ids below the watermark looked at again on every pass (see above)

const insertSelect = (where) => `
  INSERT INTO notification_deliveries (notification_id, channel, state, message_id, next_attempt_at, created_at)
  SELECT n.id, c.value, $1, 'msg_' || replace(gen_random_uuid()::text, '-', ''), $2, $3
  FROM notifications n, jsonb_array_elements_text($4::jsonb) AS c(value)
  WHERE ${where} AND NOT EXISTS (SELECT 1 FROM notification_deliveries d WHERE d.notification_id = n.id)
  ORDER BY n.id
  ON CONFLICT (notification_id, channel) DO NOTHING`;

const S = {
  maxSingle: statement("SELECT COALESCE(MAX(id), 0) AS id FROM notifications WHERE kind = 'single'"),
  materializeSingles: statement(insertSelect("n.kind = 'single' AND n.id > $5 AND n.id <= $6")),
  materializeOne: statement(insertSelect('n.id = $5')),
  materializeOldBatches: statement(
    insertSelect(`n.kind = 'batch' AND n.created_at < $5
    AND EXISTS (SELECT 1 FROM notification_items i WHERE i.notification_id = n.id)
    AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.notification_id = n.id AND j.state != 'done')`),
  ),
  itemCount: statement('SELECT COUNT(*) AS n FROM notification_items WHERE notification_id = $1'),
  deleteEmpty: statement(
    'DELETE FROM notifications WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM notification_items WHERE notification_id = $1)',
  ),
  claim: statement(`
    UPDATE notification_deliveries SET lease_owner = $1, lease_until = $2, attempts = attempts + 1
    WHERE id IN (SELECT id FROM notification_deliveries
                 WHERE state = 'pending' AND next_attempt_at <= $3 AND (lease_until IS NULL OR lease_until <= $3)
                 ORDER BY next_attempt_at, id LIMIT $4 FOR UPDATE SKIP LOCKED)
      AND state = 'pending' AND (lease_until IS NULL OR lease_until <= $3)
    RETURNING *`),
  sent: statement(`UPDATE notification_deliveries SET state = 'sent', sent_at = $3, lease_owner = NULL, lease_until = NULL
                   WHERE id = $1 AND lease_owner = $2`),
  retry: statement(`UPDATE notification_deliveries SET next_attempt_at = $3, last_error = $4, lease_owner = NULL, lease_until = NULL
                    WHERE id = $1 AND lease_owner = $2`),
  failed: statement(`UPDATE notification_deliveries SET state = 'failed', last_error = $3, lease_owner = NULL, lease_until = NULL
                     WHERE id = $1 AND lease_owner = $2`),
  notification: statement('SELECT * FROM notifications WHERE id = $1'),
  items: statement(`SELECT i.order_id, i.lock_version, i.status, o.workflow, o.store_id, o.customer_name
                    FROM notification_items i JOIN orders o ON o.id = i.order_id
                    WHERE i.notification_id = $1 ORDER BY i.order_id LIMIT $2`),
  deliveriesOf: statement('SELECT * FROM notification_deliveries WHERE notification_id = ANY($1::bigint[]) ORDER BY id'),
  requeue: statement(`UPDATE notification_deliveries SET state = 'pending', attempts = 0, next_attempt_at = $2, last_error = NULL,
                      lease_owner = NULL, lease_until = NULL WHERE notification_id = $1 AND state = 'failed'`),
  dropHeld: statement("DELETE FROM notification_deliveries WHERE notification_id = $1 AND state = 'held'"),
  notifiedOf: statement('SELECT i.lock_version, i.notification_id FROM notification_items i WHERE i.order_id = $1'),
};

// The state of a notification, from its deliveries: pending while any is pending (or none exist
// yet: an open batch), else failed if any failed, else held if held, else sent.
const STATE = `(SELECT CASE WHEN COUNT(*) = 0 OR COUNT(*) FILTER (WHERE d.state = 'pending') > 0 THEN 'pending'
                 WHEN COUNT(*) FILTER (WHERE d.state = 'failed') > 0 THEN 'failed'
                 WHEN COUNT(*) FILTER (WHERE d.state = 'held') > 0 THEN 'held' ELSE 'sent' END
               FROM notification_deliveries d WHERE d.notification_id = n.id)`;
const WORKFLOW = '(SELECT o.workflow FROM notification_items i JOIN orders o ON o.id = i.order_id WHERE i.notification_id = n.id LIMIT 1)';
const listSql = (where) => `
  SELECT n.id, n.kind, n.created_at, ${STATE} AS state, ${WORKFLOW} AS workflow,
         (SELECT COUNT(*) FROM notification_items i WHERE i.notification_id = n.id) AS order_count,
         (SELECT COALESCE(MAX(d.attempts), 0) FROM notification_deliveries d WHERE d.notification_id = n.id) AS attempts,
         (SELECT MAX(d.sent_at) FROM notification_deliveries d WHERE d.notification_id = n.id) AS sent_at
  FROM notifications n
  WHERE EXISTS (SELECT 1 FROM notification_items i WHERE i.notification_id = n.id) AND ${where}`;
const countSql = (where) => `SELECT COUNT(*) AS n FROM notifications n
  WHERE EXISTS (SELECT 1 FROM notification_items i WHERE i.notification_id = n.id) AND ${where}`;

const stateFor = (channels) => (channels.length === 1 && channels[0] === CHANNEL_NONE ? 'held' : 'pending');
const clip = (s) => String(s ?? '').slice(0, 500);
const isId = (id) => Number.isSafeInteger(id);

export class DeliveryStore {
  // pool: for the methods that run their own transaction; x: executor over the pool.
  constructor(pool, x) {
    this.pool = pool;
    this.x = x;
    this.watermark = 0; // singles up to this notification id have their delivery rows (minus LOOKBACK)
  }

  // Gives every complete notification its delivery rows: singles and batches older than
  // `batchCutoffIso` (their bulk never closed them: its instance died). Idempotent.
  async materialize(channels, now, batchCutoffIso) {
    const to = (await this.x.get(S.maxSingle)).id;
    const head = [stateFor(channels), now, new Date(now).toISOString(), JSON.stringify(channels)];
    let n = 0;
    n += await this.x.run(S.materializeSingles, [...head, Math.max(0, this.watermark - LOOKBACK), to]);
    this.watermark = Math.max(this.watermark, to);
    if (batchCutoffIso !== null) n += await this.x.run(S.materializeOldBatches, [...head, batchCutoffIso]);
    return n;
  }

  rescan() {
    this.watermark = 0;
  }

  // A bulk request has finished writing its batch: deliver it now (or drop it when it is empty).
  async closeBatch(id, channels, now = Date.now()) {
    if (!id) return;
    await transaction(this.pool, async (client) => {
      const { rows } = await client.query({ ...S.itemCount, values: [id] });
      if (rows[0].n === 0) {
        await client.query({ ...S.deleteEmpty, values: [id] });
        return;
      }
      await client.query({
        ...S.materializeOne,
        values: [stateFor(channels), now, new Date(now).toISOString(), JSON.stringify(channels), id],
      });
    });
  }

  claim(owner, now, leaseMs, limit) {
    return this.x.all(S.claim, [owner, now + leaseMs, now, limit]);
  }

  async markSent(id, owner, now = Date.now()) {
    return (await this.x.run(S.sent, [id, owner, new Date(now).toISOString()])) === 1;
  }
  async markRetry(id, owner, next, error) {
    return (await this.x.run(S.retry, [id, owner, next, clip(error)])) === 1;
  }
  async markFailed(id, owner, error) {
    return (await this.x.run(S.failed, [id, owner, clip(error)])) === 1;
  }

  // What to tell the customer: the notification and (at most `limit`) of its orders.
  async content(id, limit = 10000) {
    if (!isId(id)) return null;
    const n = await this.x.get(S.notification, [id]);
    if (!n) return null;
    return { id: n.id, kind: n.kind, created_at: n.created_at, items: await this.x.all(S.items, [id, limit]) };
  }

  // Admin list, newest first. state: null or one of pending|sent|failed|held; workflow: null or an id.
  async list({ state, workflow, limit, offset }) {
    const where = ['TRUE'];
    const args = [];
    const arg = (v) => {
      args.push(v);
      return `$${args.length}`;
    };
    if (state === 'failed' || state === 'held')
      where.push(`n.id IN (SELECT notification_id FROM notification_deliveries WHERE state = ${arg(state)})`);
    if (state) where.push(`${STATE} = ${arg(state)}`);
    if (workflow) where.push(`${WORKFLOW} = ${arg(workflow)}`);
    const w = where.join(' AND ');
    const total = (await this.x.get(countSql(w), args)).n;
    const rows = await this.x.all(`${listSql(w)} ORDER BY n.id DESC LIMIT ${arg(limit)} OFFSET ${arg(offset)}`, args);
    const deliveries = new Map();
    for (const d of await this.x.all(S.deliveriesOf, [rows.map((r) => r.id)])) {
      if (!deliveries.has(d.notification_id)) deliveries.set(d.notification_id, []);
      deliveries.get(d.notification_id).push(d);
    }
    return { total, rows: rows.map((r) => ({ ...r, deliveries: deliveries.get(r.id) ?? [] })) };
  }

  async get(id) {
    if (!isId(id)) return null;
    const r = await this.x.get(listSql('n.id = $1'), [id]);
    return r ? { ...r, deliveries: await this.x.all(S.deliveriesOf, [[id]]) } : null;
  }

  // Sends a failed notification's failed deliveries again (attempts start over); a held one gets
  // the configured transports. -> number of deliveries queued.
  async retry(id, channels, now = Date.now()) {
    if (!isId(id)) return 0;
    return transaction(this.pool, async (client) => {
      let n = (await client.query({ ...S.requeue, values: [id, now] })).rowCount;
      if (channels.length && channels[0] !== CHANNEL_NONE && (await client.query({ ...S.dropHeld, values: [id] })).rowCount > 0) {
        n += (
          await client.query({ ...S.materializeOne, values: ['pending', now, new Date(now).toISOString(), JSON.stringify(channels), id] })
        ).rowCount;
      }
      return n;
    });
  }

  // order's lock_version -> notification id, for the changes of one order that notified.
  async notifiedVersions(orderId) {
    if (!isId(orderId)) return new Map();
    return new Map((await this.x.all(S.notifiedOf, [orderId])).map((r) => [r.lock_version, r.notification_id]));
  }
}
