// Large bulk updates as background jobs. A bulk request above the threshold is stored as a job
// (one job_items row per order) and answered 202 at once; the job then runs in chunks, giving
// the event loop back between them, exactly like the synchronous bulk (same engine calls, same
// per-order results), and publishes each change on the event stream.
//
// Restart safety: an order's change and its job_items result are written in ONE transaction
// (store.apply runs as a savepoint of it), so after a crash an order is either changed and marked
// done, or neither: a resumed job skips what is done and applies nothing twice. A job is leased
// like a notification delivery (UPDATE ... WHERE lease free), renewed every chunk; a job whose
// process died is taken over by the next start (or by another instance) once its lease expires.
import { randomBytes } from 'node:crypto';
import { userFromRow } from './auth.js';
import { WorkflowView } from './orders.js';
import { OUT_OF_SCOPE } from './audit.js';

export class BulkJobs {
  // helpers: {bulkFailure(ctx, view, id, r), failure(err, message), publish(event)}
  constructor({ db, views, store, config, extras, audit, closeBatch, helpers, log = console }) {
    this.db = db;
    this.views = views;
    this.store = store;
    this.chunk = config.bulkChunk ?? 50;
    this.pauseMs = config.bulkPauseMs ?? 0;
    this.threshold = extras.jobThreshold;
    this.maxOrders = extras.jobMaxOrders;
    this.leaseMs = extras.jobLeaseMs ?? 15000;
    // Bounded storage: at most maxActive unfinished jobs per user; finished jobs (and their
    // per-order results) are deleted retentionMs after they finished.
    this.maxActive = extras.jobMaxActive ?? 3;
    this.retentionMs = extras.jobRetentionMs ?? 24 * 3600 * 1000;
    this.audit = audit;
    this.closeBatch = closeBatch;
    this.helpers = helpers;
    this.log = log;
    this.owner = `${process.pid}-${randomBytes(6).toString('hex')}`;
    this.running = new Map();  // job id -> promise
    this.stopped = false;
    this.q = {
      insertJob: db.prepare(`INSERT INTO jobs (id, kind, workflow, username, params, state, total, notification_id, created_at)
                             VALUES (?, 'bulk_update', ?, ?, ?, 'queued', ?, ?, ?)`),
      insertItem: db.prepare('INSERT INTO job_items (job_id, seq, order_id) VALUES (?, ?, ?)'),
      notification: db.prepare("INSERT INTO notifications (kind, created_at) VALUES ('batch', ?)"),
      job: db.prepare('SELECT * FROM jobs WHERE id = ?'),
      progress: db.prepare(`SELECT COUNT(result) AS done,
                                   SUM(CASE WHEN json_extract(result, '$.ok') THEN 1 ELSE 0 END) AS succeeded
                            FROM job_items WHERE job_id = ?`),
      todo: db.prepare('SELECT seq, order_id FROM job_items WHERE job_id = ? AND result IS NULL ORDER BY seq LIMIT ?'),
      results: db.prepare('SELECT result FROM job_items WHERE job_id = ? ORDER BY seq'),
      setResult: db.prepare('UPDATE job_items SET result = ? WHERE job_id = ? AND seq = ? AND result IS NULL'),
      claimable: db.prepare("SELECT id FROM jobs WHERE state != 'done' AND (lease_until IS NULL OR lease_until <= ?) ORDER BY created_at LIMIT 5"),
      claim: db.prepare(`UPDATE jobs SET lease_owner = @owner, lease_until = @until, state = 'running'
                         WHERE id = @id AND state != 'done' AND (lease_until IS NULL OR lease_until <= @now OR lease_owner = @owner)`),
      finish: db.prepare(`UPDATE jobs SET state = 'done', finished_at = ?, lease_owner = NULL, lease_until = NULL
                          WHERE id = ? AND lease_owner = ?`),
      release: db.prepare("UPDATE jobs SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ? AND state != 'done'"),
      user: db.prepare('SELECT * FROM users WHERE username = ?'),
      active: db.prepare("SELECT COUNT(*) AS n FROM jobs WHERE username = ? AND state != 'done'"),
      expiredItems: db.prepare("DELETE FROM job_items WHERE job_id IN (SELECT id FROM jobs WHERE state = 'done' AND finished_at < ?)"),
      expiredJobs: db.prepare("DELETE FROM jobs WHERE state = 'done' AND finished_at < ?"),
    };
  }

  // Whether this user may start another job now.
  canStart(username) { return this.q.active.get(username).n < this.maxActive; }

  // Stores a new job; returns its id. ids: validated order ids; input: {to, fields}.
  create(view, user, ids, { to, fields }) {
    const id = `job_${randomBytes(12).toString('hex')}`;
    const now = new Date().toISOString();
    this.db.transaction(() => {
      const notificationId = Number(this.q.notification.run(now).lastInsertRowid);
      this.q.insertJob.run(id, view.id, user.username, JSON.stringify({ status: to, fields }), ids.length, notificationId, now);
      ids.forEach((orderId, seq) => this.q.insertItem.run(id, seq, orderId));
    })();
    return id;
  }

  // Starts a stored job in this process (after the transaction that stored it committed).
  start(id) {
    setImmediate(() => this.run(id));
  }

  // Looks for jobs nobody runs (after a restart, or another instance died) and runs them.
  startResumer(intervalMs = 1000) {
    let looks = 0;
    const look = () => {
      if (this.stopped) return;
      try {
        if (looks++ % 60 === 0) {
          const cutoff = new Date(Date.now() - this.retentionMs).toISOString();
          this.db.transaction(() => { this.q.expiredItems.run(cutoff); this.q.expiredJobs.run(cutoff); }).immediate();
        }
        for (const { id } of this.q.claimable.all(Date.now())) if (!this.running.has(id)) this.run(id);
      } catch (e) {
        this.log.error(`orderflow jobs: looking for jobs failed: ${e?.message ?? e}`);
      }
    };
    look();
    this.resumer = setInterval(look, intervalMs);
    this.resumer.unref();
  }

  // Stops between chunks and hands the leases back, so the next start resumes at once.
  stop() {
    this.stopped = true;
    clearInterval(this.resumer);
    try { this.q.release.run(this.owner); } catch { /* the lease then simply expires */ }
  }

  lease(id) {
    const now = Date.now();
    return this.q.claim.run({ id, owner: this.owner, now, until: now + this.leaseMs }).changes === 1;
  }

  run(id) {
    if (this.running.has(id)) return this.running.get(id);
    const p = this.execute(id)
      .catch((e) => this.log.error(`orderflow jobs: job ${id} stopped (${e?.message ?? e}); it resumes when its lease expires`))
      .finally(() => this.running.delete(id));
    this.running.set(id, p);
    return p;
  }

  async execute(id) {
    if (!this.lease(id)) return;  // another process has it
    const job = this.q.job.get(id);
    const view = this.views[job.workflow];
    const user = userFromRow(this.q.user.get(job.username));
    const { status: to, fields } = JSON.parse(job.params);
    const actor = user ? view.actor(user) : { role: null, stores: [] };
    // As in the synchronous bulk: an order outside the user's stores (read when the job runs) is
    // answered exactly as a missing one, before the engine is asked (no status or stock leaks).
    const stores = user ? view.visibleStores(user) : null;
    const visible = (row) => WorkflowView.canSee(stores, row.store_id);
    const notification = { kind: 'batch', id: job.notification_id };
    const ctx = { dialect: 'cms' };
    for (let first = true; ; first = false) {
      if (this.stopped) return;
      if (!first) {
        await new Promise((r) => setImmediate(r));
        if (this.pauseMs) await new Promise((r) => setTimeout(r, this.pauseMs));
        if (this.stopped) return;
        if (!this.lease(id)) return;  // lost the lease (we were too slow): the other owner carries on
      }
      const todo = this.q.todo.all(id, this.chunk);
      if (todo.length === 0) break;
      const found = this.store.getMany(view, todo.map((t) => t.order_id));
      const hidden = new Set();
      for (const [orderId, o] of found) if (!visible(o.row)) { found.delete(orderId); hidden.add(orderId); }
      const plan = view.wf.planBulk([...found.values()].map((o) => o.engine), to, fields, actor);
      const blocked = new Map(plan.blocked.map((b) => [Number(b.id), b.errors]));
      for (const { seq, order_id: orderId } of todo) {
        const early = !found.has(orderId) ? { ok: false, kind: 'not_found' }
          : blocked.has(orderId) ? { ok: false, kind: 'refused', errors: blocked.get(orderId) } : null;
        let done;
        try {
          // The change, "this order is done" and its audit row commit together: nothing is
          // applied twice, no refusal is recorded twice or lost.
          done = this.db.transaction(() => {
            const r = early ? { ...early, ...(hidden.has(orderId) ? { hidden: true } : {}) } : this.store.apply(view, { id: orderId, to, fields, actor, username: job.username, source: 'bulk', notification, visible });
            const result = r.ok ? { id: orderId, ok: true, order: r.order } : this.helpers.bulkFailure(ctx, view, orderId, r);
            if (this.q.setResult.run(JSON.stringify(result), id, seq).changes !== 1) throw new Error(`job ${id} item ${seq} was done by another process`);
            this.auditRefusal(job, view, to, result, r.hidden);
            return { result, event: r.ok ? { ...r.event, store_id: r.order.store_id } : null };
          }).immediate();
        } catch (e) {
          const f = this.helpers.failure(e, 'Internal error; nothing was changed for this order');
          if (f.status !== 500) throw e;  // locked or full: stop; the job resumes later
          done = { result: { id: orderId, ok: false, status: f.status, error: { code: f.code, message: f.message } }, event: null };
          this.q.setResult.run(JSON.stringify(done.result), id, seq);
        }
        if (done.event) this.helpers.publish(done.event);
      }
    }
    this.q.finish.run(new Date().toISOString(), id, this.owner);
    this.closeBatch(job.notification_id);
  }

  // hidden: the order exists outside the creator's stores (answered as missing, recorded as an
  // out-of-scope attempt, as audit.js does for requests).
  auditRefusal(job, view, to, result, hidden) {
    if (result.ok || !([403, 409, 422].includes(result.status) || (hidden && result.status === 404))) return;
    this.audit.recordNow({ username: job.username, workflow: view.id, order_id: result.id, target_status: to, http_status: result.status,
      codes: [result.error?.code, ...(result.errors ?? []).map((e) => e.code), ...(hidden ? [OUT_OF_SCOPE] : [])], source: 'bulk' });
  }

  // Public view of a job; results once it is done (the same per-order results as the synchronous bulk).
  get(id, { withResults = true } = {}) {
    const job = this.q.job.get(id);
    if (!job) return null;
    const p = this.q.progress.get(id);
    const out = {
      id: job.id, kind: job.kind, workflow: job.workflow, username: job.username, state: job.state,
      total: job.total, done: p.done, succeeded: p.succeeded ?? 0, failed: p.done - (p.succeeded ?? 0),
      created_at: job.created_at, finished_at: job.finished_at,
    };
    if (job.state === 'done') {
      const hasItems = this.db.prepare('SELECT 1 FROM notifications WHERE id = ?').get(job.notification_id);
      if (hasItems) out.notification_id = job.notification_id;
      if (withResults) out.results = this.q.results.all(id).map((r) => JSON.parse(r.result));
    }
    return out;
  }
}
