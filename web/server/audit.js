// Audit trail of refused change attempts (403 permission, 409 stale, 422 engine refusal, 404 on an
// order outside the user's stores), in the store (store.audit), append-only (rows are never updated;
// the only DELETE is the cap below).
//
// Never blocking or failing the answer: entries are queued in memory and written after the answer
// has been sent (setImmediate), at most FLUSH_ROWS per transaction and event-loop turn; a write
// that fails (locked or full database) is logged and dropped, never surfaced to the client.
//
// Bounded growth: one user keeps at most `maxPerUser` rows (ORDERFLOW_AUDIT_MAX_ROWS_PER_USER,
// default a tenth of the whole): one account sending refused bulks in a loop rolls off its own
// older rows, not everyone else's. The table keeps at most `maxRows` rows (ORDERFLOW_AUDIT_MAX_ROWS,
// default 100,000). Both caps are applied at most once a second (each is an index walk), users'
// first, so the trail may hold a second's refusals more meanwhile. The
// in-memory queue holds at most MAX_QUEUE entries between flushes; beyond that entries
// are counted and dropped. Every stored field has a bounded size (status 100 chars, 10 codes of 64
// chars), and only authenticated callers (a session or the POS secret) are recorded.

const MAX_QUEUE = 10000;
const FLUSH_ROWS = 100;
const TRIM_EVERY_MS = 1000;
const MAX_UNTRIMMED_USERS = 1000; // more users than this waiting for their trim: trimmed at once
const CHANGE_ROUTES = [
  [/^\/api\/v1\/orders\/bulk_update$/, 'cms', 'bulk'],
  [/^\/api\/orders\/bulk_update$/, 'delivery', 'bulk'],
  [/^\/api\/v1\/webhooks\/pos$/, 'cms', 'pos'],
  [/^\/api\/v1\/orders\/[^/]+$/, 'cms', null],
  [/^\/api\/orders\/[^/]+\/status$/, 'delivery', null],
];
const REFUSALS = new Set([403, 409, 422]);
const DEFAULT_CODE = { 403: 'forbidden', 404: 'not_found', 409: 'conflict', 422: 'refused' };
// An attempt on an order that exists outside the user's stores: the client gets a missing order's
// 404 (nothing leaks), the audit records it as 404 with this code next to not_found (the server
// sets ctx.outOfScope). A missing id is not recorded, nor are 429s (rate limit, login throttle):
// they say nothing about an order, and the rate limit itself bounds what they could add.
export const OUT_OF_SCOPE = 'out_of_scope';

export class AuditTrail {
  constructor(store, { maxRows = 100000, maxPerUser = Math.max(1, Math.floor(maxRows / 10)), log = console } = {}) {
    this.store = store;
    this.maxRows = maxRows;
    this.maxPerUser = Math.min(maxPerUser, maxRows);
    this.trimmedAt = 0; // when the whole table was last trimmed (write())
    this.trimTimer = null; // the trim a write skipped, due a second after the last one
    this.untrimmed = new Set(); // users who added rows since the last trim
    this.log = log;
    this.queue = [];
    this.dropped = 0;
    this.scheduled = false;
    this.flushing = null;
  }

  // Writes one entry at once, inside the caller's transaction (bulk jobs: with the order's result).
  recordNow(tx, entry) {
    return this.write(tx, [this.row(entry)]);
  }

  // Appends rows in `tx`; the caps are applied with them, or a second later (a trim missed now is
  // done then, in a transaction of its own, written or not). At most once a second because each
  // trim walks an index: a user's at most `maxPerUser` newest rows (a walk of up to that many
  // entries, which on every flush was 5% of a refused change's CPU), the table's `maxRows`.
  async write(tx, rows) {
    await tx.audit.append(rows);
    for (const r of rows) this.untrimmed.add(r.username);
    const wait = this.trimmedAt + TRIM_EVERY_MS - Date.now();
    if (wait <= 0 || this.untrimmed.size > MAX_UNTRIMMED_USERS) await this.trim(tx);
    else if (!this.trimTimer) {
      this.trimTimer = setTimeout(() => {
        this.trimTimer = null;
        const users = [...this.untrimmed];
        this.store
          .transaction((t) => this.trim(t))
          .catch((e) => {
            for (const u of users) this.untrimmed.add(u); // tried again with the next write's trim
            this.log.error(`orderflow audit: trimming failed (${e?.message ?? e})`);
          });
      }, wait);
      this.trimTimer.unref();
    }
  }

  // Each user who added rows since the last trim first, then the whole table: so the table's cap
  // never has to roll off other users' rows because one user flooded it.
  async trim(tx) {
    this.trimmedAt = Date.now();
    const users = [...this.untrimmed];
    this.untrimmed.clear();
    for (const u of users) await tx.audit.trimUser(u, this.maxPerUser);
    await tx.audit.trim(this.maxRows);
  }

  // One refused attempt, written after the answer. entry: {username, workflow, order_id, target_status, http_status, codes, source}.
  record(entry) {
    if (this.queue.length >= MAX_QUEUE) {
      this.dropped += 1;
      return;
    }
    this.queue.push(this.row(entry));
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  row(entry) {
    const codes = [...new Set((entry.codes ?? []).filter((c) => typeof c === 'string' && c))].slice(0, 10).map((c) => c.slice(0, 64));
    return {
      at: entry.at ?? new Date().toISOString(),
      username: String(entry.username ?? '').slice(0, 200),
      workflow: String(entry.workflow).slice(0, 40),
      order_id: Number.isSafeInteger(entry.order_id) ? entry.order_id : null,
      target_status: typeof entry.target_status === 'string' ? entry.target_status.slice(0, 100) : null,
      http_status: entry.http_status,
      codes: codes.length ? codes : [DEFAULT_CODE[entry.http_status] ?? 'refused'],
      source: entry.source,
    };
  }

  // Writes what is queued, at most FLUSH_ROWS rows per transaction: a bulk refused for 500 orders
  // is 500 rows, which in one transaction held the event loop for up to ~15 ms on the 2-core test
  // machine; the rest is written on the next turn (`all`: everything now, for GET /api/v1/audit).
  async flush({ all = false } = {}) {
    this.scheduled = false;
    // One flush at a time, rows stay in order. A loop, not one await: two callers waiting on the
    // same flush would otherwise both start, and the one that found the queue empty would answer
    // before the other's rows are committed (GET /api/v1/audit would miss a refusal just made).
    // With the PostgreSQL store a flush really waits on I/O, which makes that interleaving happen.
    while (this.flushing) await this.flushing;
    const run = async () => {
      while (this.queue.length) {
        const rows = this.queue.splice(0, FLUSH_ROWS);
        try {
          await this.store.transaction((tx) => this.write(tx, rows));
        } catch (e) {
          this.dropped += rows.length;
          this.log.error(
            `orderflow audit: ${rows.length} refusal(s) not recorded (${e?.code ?? ''} ${e?.message ?? e}); ${this.dropped} dropped so far`,
          );
        }
        if (!all && this.queue.length) {
          if (!this.scheduled) {
            this.scheduled = true;
            setImmediate(() => this.flush());
          }
          return;
        }
      }
    };
    this.flushing = run().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  // Hook for the HTTP layer: called with every answer; records the refusals among change requests.
  // ctx: the request context (path, auth, params, rawBody, req); status/body/headers: the answer.
  fromAnswer(ctx, status, body, headers = {}) {
    try {
      if (headers['Idempotent-Replayed']) return; // the same refusal, already recorded once
      const route = CHANGE_ROUTES.find(([re]) => re.test(ctx.path));
      if (!route || ctx.req.method === 'GET' || ctx.req.method === 'HEAD') return;
      const [, workflow, kind] = route;
      const username = kind === 'pos' ? (status === 401 ? null : 'pos') : ctx.auth?.user?.username;
      if (!username) return;
      const source = kind ?? (ctx.req.headers['x-orderflow-source'] === 'ui' ? 'ui' : 'api');
      // The request body is read again only when something is recorded (most answers record nothing).
      let target;
      const targetStatus = () => {
        if (target === undefined) {
          const req = parseBody(ctx.rawBody);
          target = typeof req.status === 'string' ? req.status : null;
        }
        return target;
      };
      if (kind === 'bulk' && status === 200 && Array.isArray(body?.results)) {
        for (const r of body.results) {
          if (r.ok) continue;
          const hidden = r.status === 404 && ctx.outOfScope?.has(r.id);
          if (REFUSALS.has(r.status) || hidden) {
            this.record({
              username,
              workflow,
              order_id: r.id,
              target_status: targetStatus(),
              http_status: r.status,
              codes: hidden ? ['not_found', OUT_OF_SCOPE] : codesOf(r),
              source,
            });
          }
        }
        return;
      }
      const hidden = status === 404 && ctx.outOfScope?.size > 0;
      if (!REFUSALS.has(status) && !hidden) return;
      const req = parseBody(ctx.rawBody);
      const codes = hidden ? ['not_found', OUT_OF_SCOPE] : codesOf(body);
      if (codes.some((c) => c.startsWith('idempotency_'))) return; // about the key, not the order
      const orderId = kind === 'pos' ? req.order_id : Number(ctx.params?.id);
      this.record({
        username,
        workflow,
        order_id: Number.isSafeInteger(orderId) && orderId > 0 ? orderId : null,
        target_status: typeof req.status === 'string' ? req.status : null,
        http_status: status,
        codes,
        source,
      });
    } catch (e) {
      this.log.error(`orderflow audit: could not read a refusal: ${e?.message ?? e}`);
    }
  }

  // Newest first. filter: {username, orderId, code, since, until (ISO), beforeId, limit}.
  list(filter) {
    return this.store.audit.list(filter);
  }
}

function parseBody(raw) {
  if (!raw || raw.length === 0) return {};
  try {
    const v = JSON.parse(raw.toString('utf8'));
    return v && typeof v === 'object' && !Array.isArray(v) ? v : {};
  } catch {
    return {};
  }
}

function codesOf(body) {
  const codes = [body?.error?.code, ...(Array.isArray(body?.errors) ? body.errors.map((e) => e?.code) : [])];
  return codes.filter((c) => typeof c === 'string');
}
