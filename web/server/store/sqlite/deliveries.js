// Storage of notification deliveries (table notification_deliveries, see schema.js), SQLite. Every
// SQL statement of the dispatcher and of the admin endpoints lives here, behind small functions,
// so the store can move (PostgreSQL) without touching the dispatcher.
//
// Claiming: `claim()` is ONE statement, UPDATE ... WHERE id IN (due, unleased rows) AND the same
// conditions again ... RETURNING. SQLite runs it under the database's single write lock, so two
// processes sharing the file can never both lease one row. On PostgreSQL the same statement needs
// `FOR UPDATE SKIP LOCKED` in the inner SELECT; the repeated outer conditions make it correct under
// READ COMMITTED (a row leased meanwhile no longer matches). A lease that expires (its process died,
// kill -9) makes the row claimable again: a delivery may then be sent twice, always with the same
// webhook-id, so a receiver that de-duplicates by it sees it once. Every outcome is written only
// `WHERE lease_owner = <me>`, so a process whose lease was taken over cannot overwrite the outcome.

import { CHANNEL_NONE } from '../channels.js';

export class DeliveryStore {
  // The watermark (below) is per process: each instance materializes what it has not seen yet;
  // INSERT OR IGNORE + the (notification_id, channel) key make a second instance's pass a no-op.
  constructor(db) {
    this.db = db;
    this.watermark = 0; // singles up to this notification id have their delivery rows
    const insertSelect = (where) =>
      db.prepare(`
      INSERT OR IGNORE INTO notification_deliveries (notification_id, channel, state, message_id, next_attempt_at, created_at)
      SELECT n.id, c.value, @state, 'msg_' || lower(hex(randomblob(16))), @now, @iso
      FROM notifications n, json_each(@channels) c
      WHERE ${where} AND NOT EXISTS (SELECT 1 FROM notification_deliveries d WHERE d.notification_id = n.id)`);
    this.q = {
      maxSingle: db.prepare("SELECT COALESCE(MAX(id), 0) AS id FROM notifications WHERE kind = 'single'"),
      materializeSingles: insertSelect("n.kind = 'single' AND n.id > @from AND n.id <= @to"),
      materializeOne: insertSelect('n.id = @id'),
      materializeOldBatches: insertSelect(`n.kind = 'batch' AND n.created_at < @cutoff
        AND EXISTS (SELECT 1 FROM notification_items i WHERE i.notification_id = n.id)
        AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.notification_id = n.id AND j.state != 'done')`),
      itemCount: db.prepare('SELECT COUNT(*) AS n FROM notification_items WHERE notification_id = ?'),
      deleteEmpty: db.prepare(
        'DELETE FROM notifications WHERE id = ? AND NOT EXISTS (SELECT 1 FROM notification_items WHERE notification_id = ?)',
      ),
      claim: db.prepare(`
        UPDATE notification_deliveries SET lease_owner = @owner, lease_until = @until, attempts = attempts + 1
        WHERE id IN (SELECT id FROM notification_deliveries
                     WHERE state = 'pending' AND next_attempt_at <= @now AND (lease_until IS NULL OR lease_until <= @now)
                     ORDER BY next_attempt_at, id LIMIT @limit)
          AND state = 'pending' AND (lease_until IS NULL OR lease_until <= @now)
        RETURNING *`),
      sent: db.prepare(`UPDATE notification_deliveries SET state = 'sent', sent_at = @iso, lease_owner = NULL, lease_until = NULL
                        WHERE id = @id AND lease_owner = @owner`),
      retry:
        db.prepare(`UPDATE notification_deliveries SET next_attempt_at = @next, last_error = @error, lease_owner = NULL, lease_until = NULL
                         WHERE id = @id AND lease_owner = @owner`),
      failed: db.prepare(`UPDATE notification_deliveries SET state = 'failed', last_error = @error, lease_owner = NULL, lease_until = NULL
                          WHERE id = @id AND lease_owner = @owner`),
      notification: db.prepare('SELECT * FROM notifications WHERE id = ?'),
      items: db.prepare(`SELECT i.order_id, i.lock_version, i.status, o.workflow, o.store_id, o.customer_name
                         FROM notification_items i JOIN orders o ON o.id = i.order_id
                         WHERE i.notification_id = ? ORDER BY i.order_id LIMIT ?`),
      deliveriesOf: db.prepare(
        'SELECT * FROM notification_deliveries WHERE notification_id IN (SELECT value FROM json_each(?)) ORDER BY id',
      ),
      requeue: db.prepare(`UPDATE notification_deliveries SET state = 'pending', attempts = 0, next_attempt_at = @now, last_error = NULL,
                           lease_owner = NULL, lease_until = NULL WHERE notification_id = @id AND state = 'failed'`),
      dropHeld: db.prepare("DELETE FROM notification_deliveries WHERE notification_id = ? AND state = 'held'"),
      notifiedOf: db.prepare(`SELECT i.lock_version, i.notification_id FROM notification_items i WHERE i.order_id = ?`),
    };
    // The state of a notification, from its deliveries: pending while any is pending (or none exist
    // yet: an open batch), else failed if any failed, else held if held, else sent. Computed per
    // row through the (notification_id, channel) index, so a page newest-first stops at its LIMIT.
    const STATE = `(SELECT CASE WHEN COUNT(*) = 0 OR SUM(d.state = 'pending') > 0 THEN 'pending' WHEN SUM(d.state = 'failed') > 0 THEN 'failed'
                     WHEN SUM(d.state = 'held') > 0 THEN 'held' ELSE 'sent' END FROM notification_deliveries d WHERE d.notification_id = n.id)`;
    const WORKFLOW =
      '(SELECT o.workflow FROM notification_items i JOIN orders o ON o.id = i.order_id WHERE i.notification_id = n.id LIMIT 1)';
    this.listSql = (where) => `
      SELECT n.id, n.kind, n.created_at, ${STATE} AS state, ${WORKFLOW} AS workflow,
             (SELECT COUNT(*) FROM notification_items i WHERE i.notification_id = n.id) AS order_count,
             (SELECT COALESCE(MAX(d.attempts), 0) FROM notification_deliveries d WHERE d.notification_id = n.id) AS attempts,
             (SELECT MAX(d.sent_at) FROM notification_deliveries d WHERE d.notification_id = n.id) AS sent_at
      FROM notifications n
      WHERE EXISTS (SELECT 1 FROM notification_items i WHERE i.notification_id = n.id) AND ${where}`;
    this.countSql = (where) => `SELECT COUNT(*) AS n FROM notifications n
      WHERE EXISTS (SELECT 1 FROM notification_items i WHERE i.notification_id = n.id) AND ${where}`;
    this.stateExpr = STATE;
    this.workflowExpr = WORKFLOW;
    this.statements = new Map();
  }

  prepared(sql) {
    let st = this.statements.get(sql);
    if (!st) this.statements.set(sql, (st = this.db.prepare(sql)));
    return st;
  }

  // Gives every complete notification its delivery rows: singles (complete on commit) and batches
  // older than `batchCutoff` (their bulk never closed them: its process died). Idempotent.
  // batchCutoffIso: null to skip looking for old batches this time. Opens a write transaction
  // only when there may be something to write.
  materialize(channels, now, batchCutoffIso) {
    if (batchCutoffIso === null && this.q.maxSingle.get().id <= this.watermark) return 0;
    const args = { channels: JSON.stringify(channels), state: stateFor(channels), now, iso: new Date(now).toISOString() };
    return this.db
      .transaction(() => {
        const to = this.q.maxSingle.get().id;
        let n = 0;
        if (to > this.watermark) n += this.q.materializeSingles.run({ ...args, from: this.watermark, to }).changes;
        this.watermark = to;
        if (batchCutoffIso !== null) n += this.q.materializeOldBatches.run({ ...args, cutoff: batchCutoffIso }).changes;
        return n;
      })
      .immediate();
  }

  // Forget the watermark: the next materialize() looks at every single again (a safety net for
  // ids committed out of order, which PostgreSQL sequences allow).
  rescan() {
    this.watermark = 0;
  }

  // A bulk request has finished writing its batch: deliver it now (or drop it when it is empty).
  closeBatch(id, channels, now = Date.now()) {
    if (!id) return;
    this.db
      .transaction(() => {
        if (this.q.itemCount.get(id).n === 0) {
          this.q.deleteEmpty.run(id, id);
          return;
        }
        this.q.materializeOne.run({
          id,
          channels: JSON.stringify(channels),
          state: stateFor(channels),
          now,
          iso: new Date(now).toISOString(),
        });
      })
      .immediate();
  }

  claim(owner, now, leaseMs, limit) {
    return this.q.claim.all({ owner, now, until: now + leaseMs, limit });
  }

  markSent(id, owner, now = Date.now()) {
    return this.q.sent.run({ id, owner, iso: new Date(now).toISOString() }).changes === 1;
  }
  markRetry(id, owner, next, error) {
    return this.q.retry.run({ id, owner, next, error: clip(error) }).changes === 1;
  }
  markFailed(id, owner, error) {
    return this.q.failed.run({ id, owner, error: clip(error) }).changes === 1;
  }

  // What to tell the customer: the notification and (at most `limit`) of its orders.
  content(id, limit = 10000) {
    const n = this.q.notification.get(id);
    if (!n) return null;
    return { id: n.id, kind: n.kind, created_at: n.created_at, items: this.q.items.all(id, limit) };
  }

  // Admin list, newest first. state: null or one of pending|sent|failed|held; workflow: null or an id.
  list({ state, workflow, limit, offset }) {
    const where = ['1'];
    const args = [];
    // A failed or held notification has a delivery in that state: the state index narrows the scan.
    if (state === 'failed' || state === 'held') {
      where.push('n.id IN (SELECT notification_id FROM notification_deliveries WHERE state = ?)');
      args.push(state);
    }
    if (state) {
      where.push(`${this.stateExpr} = ?`);
      args.push(state);
    }
    if (workflow) {
      where.push(`${this.workflowExpr} = ?`);
      args.push(workflow);
    }
    const w = where.join(' AND ');
    const total = this.prepared(this.countSql(w)).get(...args).n;
    const rows = this.prepared(`${this.listSql(w)} ORDER BY n.id DESC LIMIT ? OFFSET ?`).all(...args, limit, offset);
    const deliveries = new Map();
    for (const d of this.q.deliveriesOf.all(JSON.stringify(rows.map((r) => r.id)))) {
      if (!deliveries.has(d.notification_id)) deliveries.set(d.notification_id, []);
      deliveries.get(d.notification_id).push(d);
    }
    return { total, rows: rows.map((r) => ({ ...r, deliveries: deliveries.get(r.id) ?? [] })) };
  }

  get(id) {
    const r = this.prepared(this.listSql('n.id = ?')).get(id);
    return r ? { ...r, deliveries: this.q.deliveriesOf.all(JSON.stringify([id])) } : null;
  }

  // Sends a failed notification's failed deliveries again (attempts start over); a held one gets
  // the configured transports. -> number of deliveries queued.
  retry(id, channels, now = Date.now()) {
    return this.db
      .transaction(() => {
        let n = this.q.requeue.run({ id, now }).changes;
        if (channels.length && channels[0] !== CHANNEL_NONE && this.q.dropHeld.run(id).changes > 0) {
          n += this.q.materializeOne.run({
            id,
            channels: JSON.stringify(channels),
            state: 'pending',
            now,
            iso: new Date(now).toISOString(),
          }).changes;
        }
        return n;
      })
      .immediate();
  }

  // order's lock_version -> notification id, for the changes of one order that notified.
  notifiedVersions(orderId) {
    return new Map(this.q.notifiedOf.all(orderId).map((r) => [r.lock_version, r.notification_id]));
  }
}

const stateFor = (channels) => (channels.length === 1 && channels[0] === CHANNEL_NONE ? 'held' : 'pending');
const clip = (s) => String(s ?? '').slice(0, 500);
