// Large bulk updates as background jobs. A bulk request above the threshold is stored as a job
// (one job_items row per order) and answered 202 at once; the job then runs in chunks, giving
// the event loop back between them, exactly like the synchronous bulk (same engine calls, same
// per-order results), and publishes each change on the event stream.
//
// Restart safety: an order's change and its job_items result are written in ONE transaction
// (the status change runs as a savepoint of it), so after a crash an order is either changed and marked
// done, or neither: a resumed job skips what is done and applies nothing twice. A job is leased
// like a notification delivery (UPDATE ... WHERE lease free), renewed every chunk; a job whose
// process died is taken over by the next start (or by another instance) once its lease expires.
import { randomBytes } from 'node:crypto';
import { userFromRow } from './auth.js';
import { WorkflowView } from './services/orders.js';
import { OUT_OF_SCOPE } from './audit.js';

export class BulkJobs {
  // helpers: {bulkFailure(ctx, view, id, r), failure(err, message), publish(event)}
  constructor({ store, views, changes, reader, config, extras, audit, closeBatch, helpers, log = console }) {
    this.store = store;
    this.views = views;
    this.changes = changes;
    this.reader = reader;
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
    this.running = new Map(); // job id -> promise
    this.stopped = false;
  }

  // Whether this user may start another job now. db: the store or a tx.
  async canStart(db, username) {
    return (await db.jobs.activeCount(username)) < this.maxActive;
  }

  // Stores a new job inside the caller's transaction; returns its id. ids: validated order ids;
  // input: {to, fields}.
  async create(tx, view, user, ids, { to, fields }) {
    const id = `job_${randomBytes(12).toString('hex')}`;
    const now = new Date().toISOString();
    const notificationId = await tx.notifications.create('batch', now);
    await tx.jobs.create(
      { id, workflow: view.id, username: user.username, params: { status: to, fields }, total: ids.length, notificationId, createdAt: now },
      ids,
    );
    return id;
  }

  // Starts a stored job in this process (after the transaction that stored it committed).
  start(id) {
    setImmediate(() => this.run(id));
  }

  // Looks for jobs nobody runs (after a restart, or another instance died) and runs them.
  startResumer(intervalMs = 1000) {
    let looks = 0;
    const look = async () => {
      if (this.stopped) return;
      try {
        if (looks++ % 60 === 0) {
          const cutoff = new Date(Date.now() - this.retentionMs).toISOString();
          await this.store.transaction((tx) => tx.jobs.purgeFinished(cutoff));
        }
        for (const id of await this.store.jobs.claimable(Date.now(), 5)) if (!this.running.has(id)) this.run(id);
      } catch (e) {
        this.log.error(`orderflow jobs: looking for jobs failed: ${e?.message ?? e}`);
      }
    };
    look();
    this.resumer = setInterval(look, intervalMs);
    this.resumer.unref();
  }

  // Stops between chunks and hands the leases back, so the next start resumes at once.
  async stop() {
    this.stopped = true;
    clearInterval(this.resumer);
    try {
      await this.store.jobs.release(this.owner);
    } catch {
      /* the lease then simply expires */
    }
  }

  lease(id) {
    const now = Date.now();
    return this.store.jobs.claim(id, this.owner, now, now + this.leaseMs);
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
    if (!(await this.lease(id))) return; // another process has it
    const job = await this.store.jobs.get(id);
    const view = this.views[job.workflow];
    const user = userFromRow(await this.store.users.get(job.username));
    const { status: to, fields } = job.params;
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
        if (!(await this.lease(id))) return; // lost the lease (we were too slow): the other owner carries on
      }
      const todo = await this.store.jobs.todo(id, this.chunk);
      if (todo.length === 0) break;
      const found = await this.reader.getMany(
        view,
        todo.map((t) => t.order_id),
      );
      const hidden = new Set();
      for (const [orderId, o] of found)
        if (!visible(o.row)) {
          found.delete(orderId);
          hidden.add(orderId);
        }
      const plan = view.wf.planBulk(
        [...found.values()].map((o) => o.engine),
        to,
        fields,
        actor,
      );
      const blocked = new Map(plan.blocked.map((b) => [Number(b.id), b.errors]));
      for (const { seq, order_id: orderId } of todo) {
        const early = !found.has(orderId)
          ? { ok: false, kind: 'not_found' }
          : blocked.has(orderId)
            ? { ok: false, kind: 'refused', errors: blocked.get(orderId) }
            : null;
        let done;
        try {
          // The change, "this order is done" and its audit row commit together: nothing is
          // applied twice, no refusal is recorded twice or lost.
          done = await this.store.transaction(async (tx) => {
            const r = early
              ? { ...early, ...(hidden.has(orderId) ? { hidden: true } : {}) }
              : await this.changes.apply(
                  view,
                  { id: orderId, to, fields, actor, username: job.username, source: 'bulk', notification, visible },
                  tx,
                );
            const result = r.ok ? { id: orderId, ok: true, order: r.order } : this.helpers.bulkFailure(ctx, view, orderId, r);
            if (!(await tx.jobs.setResult(id, seq, result))) throw new Error(`job ${id} item ${seq} was done by another process`);
            await this.auditRefusal(tx, job, view, to, result, r.hidden);
            return { result, event: r.ok ? { ...r.event, store_id: r.order.store_id } : null };
          });
        } catch (e) {
          const f = this.helpers.failure(e, 'Internal error; nothing was changed for this order');
          if (f.status !== 500) throw e; // locked or full: stop; the job resumes later
          done = { result: { id: orderId, ok: false, status: f.status, error: { code: f.code, message: f.message } }, event: null };
          await this.store.jobs.setResult(id, seq, done.result);
        }
        if (done.event) this.helpers.publish(done.event);
      }
    }
    await this.store.jobs.finish(id, this.owner, new Date().toISOString());
    await this.closeBatch(job.notification_id);
  }

  // hidden: the order exists outside the creator's stores (answered as missing, recorded as an
  // out-of-scope attempt, as audit.js does for requests).
  async auditRefusal(tx, job, view, to, result, hidden) {
    if (result.ok || !([403, 409, 422].includes(result.status) || (hidden && result.status === 404))) return;
    await this.audit.recordNow(tx, {
      username: job.username,
      workflow: view.id,
      order_id: result.id,
      target_status: to,
      http_status: result.status,
      codes: [result.error?.code, ...(result.errors ?? []).map((e) => e.code), ...(hidden ? [OUT_OF_SCOPE] : [])],
      source: 'bulk',
    });
  }

  // Public view of a job; results once it is done (the same per-order results as the synchronous bulk).
  async get(id, { withResults = true, db = this.store } = {}) {
    const job = await db.jobs.get(id);
    if (!job) return null;
    const p = await db.jobs.progress(id);
    const out = {
      id: job.id,
      kind: job.kind,
      workflow: job.workflow,
      username: job.username,
      state: job.state,
      total: job.total,
      done: p.done,
      succeeded: p.succeeded,
      failed: p.done - p.succeeded,
      created_at: job.created_at,
      finished_at: job.finished_at,
    };
    if (job.state === 'done') {
      if (await db.notifications.exists(job.notification_id)) out.notification_id = job.notification_id;
      if (withResults) out.results = await db.jobs.results(id);
    }
    return out;
  }
}
