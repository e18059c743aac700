// The workspace's reactive controllers (web/src/elements/workspace/) with a stand-in host and
// adapter: what they send, what state they leave, what staff would read. The browser tests drive
// the same behaviour through the page; these pin the logic of each controller on its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOrderFlow } from 'orderflow';
import { Rules } from '../../web/src/rules.js';
import { ApiError } from '../../web/src/api/http.js';
import { withFallbacks } from '../../web/src/api/fallbacks.js';
import { rulesFor } from '../../web/src/workflow-source.js';
import { message } from '../../web/src/i18n/index.js';
import '../../web/src/locales/de.js'; // the German the page would load
import { describeProblem } from '../../web/src/elements/workspace/problems.js';
import { initialState } from '../../web/src/elements/workspace/state.js';
import { OrdersController } from '../../web/src/elements/workspace/orders-controller.js';
import { ChangeController } from '../../web/src/elements/workspace/change-controller.js';
import { DetailController } from '../../web/src/elements/workspace/detail-controller.js';
import { BulkController } from '../../web/src/elements/workspace/bulk-controller.js';
import { LiveController } from '../../web/src/elements/workspace/live-controller.js';

const flow = await createOrderFlow();
const wf = flow.workflow('cms');
const admin = new Rules(wf, { role: 'admin', stores: ['s1', 's2'] });
const items = [{ sku: 'A', quantity: 1, in_stock: true }];
const order = (id, status, extra = {}) => ({ id, status, store_id: 's1', lock_version: 1, payment_status: 'paid', items, ...extra });

/** The part of <of-order-workspace> the controllers use. */
function host(api, orders = []) {
  const h = {
    api,
    rules: admin,
    perPage: 50,
    prefetched: null,
    eventsUrl: null,
    retryOnline: null,
    _s: { ...initialState(), orders, total: orders.length },
    messages: [],
    focused: [],
    events: [],
    i18n: { t: (k, p) => message('en', k, p), date: (x) => (x ? 'Dec 1, 2026, 5:00 AM' : '') },
    addController() {},
    get state() {
      return this._s;
    },
    set(p) {
      this._s = { ...this._s, ...p };
    },
    fire(name, detail) {
      this.events.push([name, detail]);
    },
    alert(kind, text, o = {}) {
      this.messages.push({ kind, text, ...o });
    },
    problem(err, offer) {
      return describeProblem(err, offer, { t: this.i18n.t, date: this.i18n.date, rules: admin, sessionExpired: () => {} });
    },
    async focusRow(o) {
      this.focused.push(o);
    },
    load() {
      this.loads = (this.loads ?? 0) + 1;
      return this.orders.load();
    },
  };
  h.orders = new OrdersController(h);
  h.changes = new ChangeController(h);
  h.details = new DetailController(h);
  h.bulk = new BulkController(h);
  h.live = new LiveController(h);
  return h;
}

test('changes: a network failure offers a retry on `online`; closing the dialog abandons it', async () => {
  let puts = 0;
  const api = {
    updateStatus: async () => {
      puts += 1;
      throw new ApiError({ kind: 'network', message: 'offline' });
    },
  };
  const h = host(api, [order(7, 'processing')]);
  h.changes.select({ orderId: 7, to: 'ready_for_pickup' }, { orderId: 7, ctl: 'status', index: 0 });
  assert.equal(h.state.confirm.option.id, 'ready_for_pickup');
  await h.changes.submit(h.state.confirm.order, 'ready_for_pickup', { notes: 'x' }, 'confirm');
  assert.equal(h.state.confirm.problem.message, message('en', 'networkFailure'));
  assert.equal(h.state.orders[0].status, 'processing', 'rolled back');
  assert.equal(typeof h.retryOnline, 'function');
  h.changes.closeConfirm();
  assert.equal(h.retryOnline, null, 'the abandoned change has no retry left');
  assert.equal(h.state.confirm, null);
  assert.deepEqual(h.focused, [{ orderId: 7, ctl: 'status', index: 0 }], 'focus goes back to the dropdown');
  assert.equal(puts, 1);
});

test('changes: a 409 puts the order as it is now in the dialog and the row; Refresh re-reads in place', async () => {
  const now = order(7, 'ready_for_pickup', {
    lock_version: 2,
    updated_by: 'manager',
    updated_by_name: 'Max Manager',
    updated_at: '2026-12-01T05:00:00.000Z',
  });
  const later = order(7, 'completed', { lock_version: 3 });
  const api = {
    updateStatus: async () => {
      throw new ApiError({ kind: 'conflict', message: 'lock_version 2', order: now, changedBy: 'manager' });
    },
    getOrder: async () => later,
  };
  const h = host(api, [order(7, 'processing')]);
  h.changes.select({ orderId: 7, to: 'cancelled' }, null);
  await h.changes.submit(h.state.confirm.order, 'cancelled', {}, 'confirm');
  assert.equal(h.state.confirm.order, now);
  assert.equal(h.state.orders[0], now);
  assert.equal(h.state.confirm.problem.kind, 'warning');
  assert.match(h.state.confirm.problem.detail, /^Max Manager changed it on .*; it is now Ready for Pickup\./);
  assert.doesNotMatch(JSON.stringify(h.state.confirm.problem), /lock_version/);
  h.changes.action('refresh', 'confirm');
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(h.state.confirm.order, later, 'the dialog stays, with the order re-read');
  assert.equal(h.state.confirm.problem, null);
  assert.equal(admin.check(later, 'cancelled', {}).ok, false, 'and the engine now refuses the old choice');
});

test('changes: a 404 for an order that is gone takes its row off the list and says so; a 404 while the order still reads is shown as it came', async () => {
  const gone = new ApiError({ kind: 'not_found', status: 404, message: 'Order not found' });
  const api = {
    updateStatus: async () => {
      throw gone;
    },
    getOrder: async () => {
      throw gone;
    },
  };
  const h = host(api, [order(7, 'processing'), order(8, 'processing')]);
  h.set({ selected: new Set([7, 8]) });
  h.changes.select({ orderId: 7, to: 'ready_for_pickup' }, { orderId: 7, ctl: 'status', index: 0 });
  await h.changes.submit(h.state.confirm.order, 'ready_for_pickup', {}, 'confirm');
  assert.deepEqual(
    h.state.orders.map((o) => o.id),
    [8],
    'the row left, not rolled back',
  );
  assert.equal(h.state.total, 1);
  assert.deepEqual([...h.state.selected], [8]);
  assert.equal(h.state.confirm, null);
  assert.equal(h.messages.at(-1).kind, 'warning');
  assert.equal(h.messages.at(-1).text, message('en', 'orderGone', { id: 7 }));
  assert.equal(h.retryOnline, null);
  assert.deepEqual(h.focused, [{ orderId: 7, ctl: 'status', index: 0 }], 'focus to the row now in its place');

  // the same 404 while the order still reads (a missing endpoint, a proxy): rolled back, the error shown
  const here = order(9, 'processing', { lock_version: 4 });
  const h2 = host(
    {
      updateStatus: async () => {
        throw gone;
      },
      getOrder: async () => here,
    },
    [order(9, 'processing')],
  );
  h2.changes.select({ orderId: 9, to: 'ready_for_pickup' }, null);
  await h2.changes.submit(h2.state.confirm.order, 'ready_for_pickup', {}, 'confirm');
  assert.deepEqual(h2.state.orders, [here]);
  assert.equal(h2.state.confirm.problem.message, 'Order not found');
});

test('changes: the customer notification is mentioned only when the API reports one for the change', async () => {
  // Ready for Pickup notifies in the workflow; whether anyone is notified is the API's to say
  const said = async (notification) => {
    const api = {
      updateStatus: async (id) => ({
        order: order(id, 'ready_for_pickup', { lock_version: 2 }),
        ...(notification !== undefined ? { notification } : {}),
      }),
    };
    const h = host(api, [order(7, 'processing')]);
    h.details.loadHistory = () => {};
    await h.changes.submit(order(7, 'processing'), 'ready_for_pickup', {}, 'direct');
    return h.messages.at(-1);
  };
  assert.equal((await said(undefined)).detail, undefined, 'a foreign API that says nothing: nothing claimed');
  assert.equal((await said(null)).detail, undefined);
  assert.equal((await said({ state: 'held' })).detail, 'Customer notification held (no transport configured)');
  assert.equal((await said({ state: 'sent' })).detail, 'Customer notified');
});

test('changes: a one-click change into a final status asks first', () => {
  const h = host({}, [order(7, 'processing')]);
  h.changes.select({ orderId: 7, to: 'completed', direct: true }, null);
  assert.equal(h.state.confirm?.option.id, 'completed');
});

test('changes: a one-click change the engine marks blocked is never sent; the dialog opens with its reason', async () => {
  const sent = [];
  const api = {
    updateStatus: async (...a) => {
      sent.push(a);
      return { order: {} };
    },
  };
  const short = order(8, 'new', { items: [{ sku: 'TEA', quantity: 2, in_stock: false }] });
  const h = host(api, [short]);
  h.changes.select({ orderId: 8, to: 'processing', direct: true }, null);
  assert.equal(h.state.confirm?.option.id, 'processing');
  assert.equal(h.state.confirm.option.blocked.code, 'inventory_short');
  assert.match(h.state.confirm.option.blocked.message, /"TEA" \(2 ordered\)/);
  await new Promise((r) => setTimeout(r, 0));
  assert.deepEqual(sent, []);
  // the same click on an order with its items in stock goes straight through
  const fine = host(api, [order(9, 'new')]);
  fine.changes.select({ orderId: 9, to: 'processing', direct: true }, null);
  assert.equal(fine.state.confirm, null);
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(sent.length, 1);
});

test("rules: a blocked option is the order's own, whatever orders were asked about before", () => {
  const short = (id, sku) => order(id, 'new', { items: [{ sku, quantity: 2, in_stock: false }] });
  assert.match(admin.allowed(short(20, 'TEA'))[0].blocked.message, /"TEA" \(2 ordered\)/);
  assert.match(admin.allowed(short(21, 'CUP'))[0].blocked.message, /"CUP" \(2 ordered\)/, 'same stock, other items');
  assert.equal(admin.allowed(order(22, 'new'))[0].blocked, undefined);
  // a workflow whose guard reads another order field: the answer follows that field too
  const doc = JSON.parse(JSON.stringify(wf.document));
  doc.id = 'cms_fraud';
  doc.guards.push({ id: 'fraud', kind: 'equals', field: 'fraud_check', value: 'cleared', code: 'fraud_hold', message: 'Held for review.' });
  doc.transitions.find((t) => t.from === 'new' && t.to === 'processing').guards.push('fraud');
  const fraud = new Rules(flow.workflow(doc), { role: 'admin' });
  assert.equal(fraud.allowed(order(23, 'new', { fraud_check: 'cleared' }))[0].blocked, undefined);
  assert.deepEqual(fraud.allowed(order(24, 'new', { fraud_check: 'held' }))[0].blocked, {
    code: 'fraud_hold',
    message: 'Held for review.',
  });
});

test('bulk: skipped orders counted and listed, only failures a retry could fix are retryable, chunks of 100', async () => {
  const sent = [];
  const api = {
    async bulkUpdate(ids) {
      sent.push(ids);
      return {
        results: ids.map((id) =>
          id === 2
            ? { id, ok: false, status: 422, message: 'final', errors: [{ code: 'terminal_status', message: 'final' }] }
            : id === 3
              ? { id, ok: false, status: 500, message: 'internal' }
              : { id, ok: true, order: order(id, 'cancelled') },
        ),
      };
    },
  };
  const many = Array.from({ length: 250 }, (_, i) => order(i + 1, 'processing'));
  const h = host(api, many);
  h.orders.select({ ids: many.map((o) => o.id), selected: true });
  h.bulk.open();
  await h.bulk.run(
    many.slice(0, 249).map((o) => o.id),
    'cancelled',
    {},
    [],
    [{ id: 250, errors: [{ code: 'terminal_status', message: 'Completed is final' }] }],
  );
  assert.deepEqual(
    sent.map((c) => c.length),
    [100, 100, 49],
  );
  const res = h.state.bulk.results;
  assert.equal(res.length, 250);
  assert.deepEqual(
    res.find((r) => r.id === 250),
    {
      id: 250,
      ok: false,
      skipped: true,
      message: 'Completed is final',
      errors: [{ code: 'terminal_status', message: 'Completed is final' }],
      retryable: false,
    },
  );
  assert.equal(res.find((r) => r.id === 2).retryable, false, 'an engine refusal');
  assert.equal(res.find((r) => r.id === 3).retryable, true, 'a server error');
  assert.equal(h.messages.at(-1).text, 'Bulk update: 247 updated, 2 failed, 1 skipped.');
  h.bulk.retryFailed();
  await new Promise((r) => setTimeout(r, 0));
  assert.deepEqual(sent.at(-1), [3], 'retry sends only what could succeed');
  h.bulk.close();
  assert.equal(h.state.bulk, null);
  assert.deepEqual(
    [...h.state.selected].sort((a, b) => a - b),
    [2, 3, 250],
    'the updated orders are no longer selected',
  );
});

test("bulk above the adapter's job threshold: sent whole, the job's progress shown, per-order results as from chunks", async () => {
  const sent = [];
  globalThis.requestAnimationFrame ??= (fn) => setTimeout(fn, 0);
  const api = withFallbacks({
    listOrders: async () => ({ orders: [], total: 0 }),
    updateStatus: async () => {
      throw new Error('not used');
    },
    bulkJobThreshold: 500,
    async bulkUpdate(ids, change, { onProgress }) {
      sent.push(ids.length);
      if (ids.length > 500)
        for (const done of [0, 300, 600]) {
          onProgress(done, ids.length);
          await new Promise((r) => setTimeout(r, 5));
        }
      return { results: ids.map((id) => ({ id, ok: true, order: order(id, 'cancelled') })), job: ids.length > 500 };
    },
  });
  const many = Array.from({ length: 600 }, (_, i) => order(i + 1, 'processing'));
  const h = host(api, many);
  const seen = [];
  const set = h.set.bind(h);
  h.set = (p) => {
    if (p.bulk?.progress) seen.push(p.bulk.progress.done);
    set(p);
  };
  h.orders.select({ ids: many.map((o) => o.id), selected: true });
  h.bulk.open();
  await h.bulk.run(
    many.map((o) => o.id),
    'cancelled',
    {},
  );
  assert.deepEqual(sent, [600], 'one call: the server runs it as one job');
  assert.ok(seen.includes(300), `the job's progress reached the dialog: ${seen}`);
  assert.equal(h.state.bulk.results.length, 600);
  assert.equal(h.messages.at(-1).text, 'Bulk update: 600 updated, 0 failed.');
  // at or below the threshold: chunks of 100 as before
  sent.length = 0;
  h.bulk.open();
  await h.bulk.run(
    many.slice(0, 500).map((o) => o.id),
    'cancelled',
    {},
  );
  assert.deepEqual(sent, [100, 100, 100, 100, 100]);
});

test('live: a batch of events moves rows forward only, never a row being saved; the list keeps its order', async () => {
  const h = host({ workflowId: 'cms' }, [order(1, 'new'), order(2, 'new'), order(3, 'new')]);
  h.orders.busy(3, true);
  h.live.receive({ id: 1, workflow: 'cms', status: 'processing', lock_version: 2, updated_by: 'pos', updated_by_name: 'Till 2' });
  h.live.receive({ id: 2, workflow: 'cms', status: 'processing', lock_version: 1 }); // not newer
  h.live.receive({ id: 3, workflow: 'cms', status: 'processing', lock_version: 5 }); // being saved
  h.live.receive({ id: 1, workflow: 'delivery', status: 'assigned', lock_version: 9 }); // another workflow
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(
    h.state.orders.map((o) => [o.id, o.status]),
    [
      [1, 'processing'],
      [2, 'new'],
      [3, 'new'],
    ],
  );
  assert.equal(h.state.orders[0].updated_by_name, 'Till 2');
});

test('orders: an older answer never overwrites a newer one; the selection keeps only listed orders', async () => {
  const answers = [];
  const api = { listOrders: (q) => new Promise((r) => answers.push({ q, r })) };
  const h = host(api);
  h.orders.select({ ids: [1, 2], selected: true });
  const first = h.orders.load();
  h.orders.filter({ status: 'new' });
  answers[1].r({ orders: [order(2, 'new')], total: 1 });
  answers[0].r({ orders: [order(1, 'processing'), order(2, 'new')], total: 2 });
  await first;
  await new Promise((r) => setTimeout(r, 0));
  assert.deepEqual(
    h.state.orders.map((o) => o.id),
    [2],
  );
  assert.deepEqual([...h.state.selected], [2]);
  assert.equal(answers[1].q.status, 'new');
});

test("details: leaving the form drops its failed change; closing returns focus to the order's link", async () => {
  const api = {
    getOrder: async (id) => order(id, 'processing'),
    history: async () => [],
    updateStatus: async () => {
      throw new ApiError({ kind: 'network', message: 'offline' });
    },
  };
  const h = host(api, [order(4, 'processing')]);
  await h.details.open(4, { orderId: 4, ctl: 'open', index: 0 });
  h.details.edit(true);
  await h.changes.submit(h.state.detail.order, 'ready_for_pickup', {}, 'detail');
  assert.equal(typeof h.retryOnline, 'function');
  h.details.edit(false);
  assert.equal(h.retryOnline, null);
  h.details.close();
  assert.deepEqual(h.focused.at(-1), { orderId: 4, ctl: 'open', index: 0 });
});

// --- what the pkg branch's workspace does, now in the controllers ---

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

test('bulk without a bulk endpoint: one stream of single updates, 6 at a time, progress painted at most once a frame; an unreadable success reloads the list', async () => {
  const frames = [];
  globalThis.requestAnimationFrame = (f) => {
    frames.push(f);
    setTimeout(f, 16);
  };
  try {
    let inFlight = 0;
    let most = 0;
    let puts = 0;
    let lists = 0;
    const many = Array.from({ length: 250 }, (_, i) => order(i + 1, 'processing'));
    const api = withFallbacks({
      async listOrders() {
        lists += 1;
        return { orders: many, total: many.length };
      },
      async updateStatus(id, change) {
        puts += 1;
        inFlight += 1;
        most = Math.max(most, inFlight);
        await tick(1);
        inFlight -= 1;
        if (id === 9) throw new ApiError({ kind: 'network', message: 'The server could not be reached.' });
        if (id === 11)
          throw new ApiError({
            kind: 'server',
            status: 502,
            messageKey: 'plainStatus',
            messageParams: { status: 502, reason: 'Bad Gateway' },
          });
        return id === 7 ? { order: null, unreadable: true } : { order: { ...order(id, change.status), lock_version: 2 } };
      },
    });
    const h = host(api, many);
    h.orders.select({ ids: many.map((o) => o.id), selected: true });
    h.bulk.open();
    const seen = [];
    const set = h.set.bind(h);
    h.set = (p) => {
      if (p.bulk?.progress) seen.push(p.bulk.progress.done);
      set(p);
    };
    await h.bulk.run(
      many.map((o) => o.id),
      'cancelled',
      {},
    );
    assert.equal(puts, 250, 'one update per order');
    assert.ok(most <= 6, `at most 6 at a time (saw ${most})`);
    assert.ok(frames.length < 250 / 6, `progress repainted once a frame, not per order (${frames.length} frames for 250 updates)`);
    assert.ok(seen.length > 2 && seen.length < 60, `progress steps seen: ${seen.length}`);
    assert.equal(h.state.bulk.progress.done, 250);
    assert.equal(h.state.bulk.results.filter((r) => r.ok).length, 248);
    const lost = h.state.bulk.results.find((r) => r.id === 9);
    assert.deepEqual([lost.message, lost.retryable], [message('en', 'notApplied'), true], "a lost request, in the table's words");
    const html = h.state.bulk.results.find((r) => r.id === 11);
    assert.deepEqual([html.message, html.retryable], ['The server answered HTTP 502 (Bad Gateway) without a readable message.', true]);
    assert.equal(h.messages.at(-1).text, 'Bulk update: 248 updated, 2 failed.');
    assert.equal(h.loads, 1, 'order 7 answered unreadably: the list is read again');
    await tick(20);
    assert.equal(lists, 1);
    assert.equal(h.state.bulk.phase, 'done', 'a late frame does not bring the progress back');
  } finally {
    delete globalThis.requestAnimationFrame;
  }
});

test('changes: a success whose answer cannot be read is said so and the order re-read, never rolled back', async () => {
  let listed = [order(7, 'ready_for_pickup', { lock_version: 2 })];
  const api = withFallbacks({
    async listOrders() {
      if (!listed) throw new ApiError({ kind: 'network', message: 'offline' });
      return { orders: listed, total: 1 };
    },
    async updateStatus() {
      return { order: null, unreadable: true };
    },
  });
  const h = host(api, [order(7, 'processing')]);
  await h.changes.submit(h.state.orders[0], 'ready_for_pickup', {}, 'direct');
  await tick();
  assert.deepEqual(h.messages.at(-1), {
    kind: 'warning',
    key: 'order-7',
    text: 'Order 7: the server accepted the request, but its answer could not be read.',
    detail: 'The order was read again: it is now Ready for Pickup.',
  });
  assert.equal(h.state.orders[0].status, 'ready_for_pickup', 'not rolled back: the row shows what the server holds');
  assert.equal(h.state.orders[0].lock_version, 2);
  assert.equal(h.state.busyIds.size, 0);

  listed = null; // and when reading it again fails too
  await h.changes.submit(order(7, 'ready_for_pickup', { lock_version: 2 }), 'completed', {}, 'direct');
  await tick();
  assert.match(h.messages.at(-1).detail, /^Reading the order again failed too \(.+\); reload the list to see its status\.$/);
  assert.equal(h.state.orders[0].status, 'completed', 'still not rolled back');
});

test("live: without an events URL the adapter's subscribe (withFallbacks' polling) moves rows; an order without versions moves when its status changed", async () => {
  const rows = [
    { id: 1, status: 'new', store_id: 's1', items },
    { id: 2, status: 'new', store_id: 's1', items },
  ];
  let polls = 0;
  const api = withFallbacks(
    {
      async listOrders() {
        polls += 1;
        return { orders: rows.map((o) => ({ ...o })), total: rows.length };
      },
      async updateStatus() {
        throw new Error('not used');
      },
    },
    { pollInterval: 10 },
  );
  const h = host(
    api,
    rows.map((o) => ({ ...o })),
  );
  h.live.subscribe();
  await tick(25);
  rows[0].status = 'processing';
  rows[0].updated_by = 'pos';
  await tick(80);
  assert.deepEqual(
    h.state.orders.map((o) => [o.id, o.status]),
    [
      [1, 'processing'],
      [2, 'new'],
    ],
  );
  assert.equal(h.state.orders[0].updated_by, 'pos', 'the polled row is the order as the list gives it');
  h.live.hostDisconnected();
  const stopped = polls;
  await tick(40);
  assert.ok(polls <= stopped + 1, 'no more polling once the element is gone');
});

test("set-up problems are keys of the string table (shown before the rules exist, in the page's language)", async () => {
  await assert.rejects(rulesFor({ workflow: 'delivery' }), { name: 'TypeError', messageKey: 'setupNoActor' });
  await assert.rejects(rulesFor({ adapter: {}, actor: { role: 'admin' } }), {
    messageKey: 'setupNoWorkflow',
    message: message('en', 'setupNoWorkflow'),
  });
  assert.match(message('de', 'setupNoActor'), /^Kein Benutzer/);
  const r = await rulesFor({ workflow: 'delivery', actor: { role: 'admin' } });
  assert.ok(
    r.allowed({ id: 1, status: 'assigned' }).some((o) => o.id === 'in_transit'),
    'with both, the rules come from the built-in workflow',
  );
});

test('a server job is followed through lost polls; when its end cannot be read, its orders are neither "not applied" nor retried', async () => {
  const { Http } = await import('../../web/src/api/http.js');
  const { followJob } = await import('../../web/src/api/jobs.js');
  let polls = 0;
  const job = (state, done) => ({
    job: {
      id: 'j1',
      state,
      total: 2,
      done,
      results:
        state === 'done'
          ? [
              { id: 1, ok: true },
              { id: 2, ok: false, status: 422, error: { message: 'final' } },
            ]
          : undefined,
    },
  });
  const http = new Http({
    fetchImpl: async () => {
      polls += 1;
      if (polls === 2 || polls === 3) throw new TypeError('Failed to fetch');
      return new Response(JSON.stringify(job(polls >= 5 ? 'done' : 'running', polls >= 5 ? 2 : 1)), { status: 200 });
    },
  });
  const seen = [];
  const r = await followJob(http, 'j1', { pollMs: 1, onProgress: (p) => seen.push(p.done) });
  assert.deepEqual(
    r.results.map((x) => x.ok),
    [true, false],
  );
  assert.equal(r.failed, 1);
  assert.ok(seen.at(-1) === 2);

  const gone = new Http({
    fetchImpl: async () => {
      throw new TypeError('Failed to fetch');
    },
  });
  const err = await followJob(gone, 'j2', { pollMs: 1, maxLost: 2 }).catch((e) => e);
  assert.equal(err.messageKey, 'jobUnreadable');
  const h = host(
    {
      bulkUpdate: async () => {
        throw err;
      },
    },
    [order(1, 'processing'), order(2, 'processing')],
  );
  h.orders.select({ ids: [1, 2], selected: true });
  h.bulk.open();
  await h.bulk.run([1, 2], 'cancelled', {});
  const res = h.state.bulk.results;
  assert.match(res[0].message, /background job \(j2\)/);
  assert.ok(
    res.every((x) => !x.retryable),
    'not offered for retry',
  );
  assert.equal(h.loads, 1, 'the list is read again');
});
