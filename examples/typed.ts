// A typed tour of the orderflow module: every function, checked by `npm run typecheck`
// (tsc --noEmit). Run it with a TypeScript-aware runner, or read it as documentation.
import createDefault, {
  createOrderFlow,
  OrderflowError,
  type Actor,
  type AllowedOptions,
  type BulkPlan,
  type CheckResult,
  type CmsWorkflow,
  type EngineError,
  type Fields,
  type NormalizeResult,
  type Order,
  type OrderFlow,
  type Workflow,
} from 'orderflow';

// A workflow of your own, and what `npx orderflow types returns.json --out returns.d.ts` writes
// for it (abridged): its ids as string unions, imported as `import type { ReturnsWorkflow } from './returns.js'`.
const returnsDocument = {
  id: 'returns',
  name: 'Returns',
  initial: 'requested',
  statuses: [
    { id: 'requested', label: 'Requested', color: '#2563eb' },
    { id: 'received', label: 'Received', color: '#d97706' },
    { id: 'refunded', label: 'Refunded', color: '#16a34a', terminal: true },
  ],
  roles: [{ id: 'clerk', label: 'Clerk', scope: 'all' }],
  fields: [{ id: 'reason', label: 'Reason', type: 'text' }],
  transitions: [
    { from: 'requested', to: 'received', roles: ['clerk'] },
    { from: 'received', to: 'refunded', roles: ['clerk'], requires: ['reason'] },
  ],
};
interface ReturnsWorkflow {
  readonly id: 'returns';
  readonly status: 'requested' | 'received' | 'refunded';
  readonly role: 'clerk';
  readonly field: 'reason';
}

export async function tour(): Promise<void> {
  const flow: OrderFlow = await createOrderFlow();
  const same: OrderFlow = await createDefault({ wasmUrl: new URL('https://example.test/orderflow.wasm') });
  const ids: readonly string[] = flow.workflows;

  // A built-in is typed with its ids: check(order, 'procesing', ...) or role 'cashier' do not compile.
  const wf: Workflow<CmsWorkflow> = flow.workflow('cms');
  const labels: string[] = wf.statuses.map((s) => `${s.label} (${s.color})${s.terminal ? ' — final' : ''}`);
  const roles: string[] = wf.roles.map((r) => `${r.id}:${r.scope ?? 'all'}${r.readOnly ? ' read-only' : ''}`);
  const required: string[] = wf.transitions.flatMap((t) => [...(t.requires ?? [])]);
  const fieldIds: string[] = wf.fields.map((f) => f.id);
  const arrows: string[] = wf.edges.map((e) => `${e.from} -> ${e.to}${e.action ? ` (${e.action})` : ''}: ${e.roles.join(', ')}`);
  const initial: string = wf.initial;
  const docId: unknown = wf.document['id'];

  const order: Order<CmsWorkflow> = {
    id: 17,
    status: 'new',
    store_id: 's1',
    lock_version: 3,
    payment_status: 'paid',
    items: [
      { sku: 'A-1', quantity: 2, in_stock: true },
      { sku: 'B-2', quantity: 1, in_stock: 4 },
    ],
  };
  const actor: Actor<CmsWorkflow> = { role: 'store_manager', stores: ['s1'] };

  const options: AllowedOptions<CmsWorkflow> = wf.allowed(order, actor);
  for (const o of options) {
    const next: CmsWorkflow['status'] = o.id;
    const needs: CmsWorkflow['field'][] = o.requires;
    const mayFill: string[] = o.optional;
    const ask: boolean = o.confirm;
    const button: string = o.action ?? o.label;
    void [next, needs, mayFill, ask, button];
  }
  const why: EngineError[] = options.errors;

  const fields: Fields<CmsWorkflow> = { rejection_reason: 'ID expired', notes: 'called' };
  const verdict: CheckResult = wf.check(order, 'rejected', fields, actor);
  if (!verdict.ok) {
    for (const e of verdict.errors) console.log(e.code, e.message, e.field ?? '');
  }

  const plan: BulkPlan = wf.planBulk([order, { ...order, id: 18, status: 'completed' }], 'processing', {}, actor);
  const eligibleCount: number = plan.eligible.length;
  const firstReason: string | undefined = plan.blocked[0]?.errors[0]?.code;

  const delivery = flow.workflow('delivery');
  const n: NormalizeResult = delivery.normalize('shipped');
  const current: string = n.ok ? n.status : n.error.message;

  // A document without types: ids are plain strings.
  const custom: Workflow = flow.loadText(JSON.stringify({ ...wf.document, id: 'cms-copy' }));
  const anyStatus: CheckResult = custom.check(order, 'whatever', { any_field: 1 }, { role: 'any_role' });
  // A document with the types `orderflow types` wrote for it.
  const returns = flow.workflow<ReturnsWorkflow>(returnsDocument);
  const refund: CheckResult = returns.check({ status: 'received' }, 'refunded', { reason: 'damaged' }, { role: 'clerk' });
  try {
    flow.workflow({ id: 'broken' });
  } catch (e) {
    if (e instanceof OrderflowError) {
      for (const p of e.problems) console.log(`${p.path}: ${p.message}`);
      if (e.code === 'memory_budget') console.log('dispose() some workflows');
    }
  }
  const live: number = flow.liveWorkflows + flow.memoryBytes + flow.memory.used - flow.memory.budget;
  custom.dispose(); // its engine memory is released now, not when collected
  await flow.ready;
  const budgeted: Promise<OrderFlow> = createOrderFlow({ memoryBudget: 256 * 1024 * 1024 });

  void [
    same,
    ids,
    labels,
    roles,
    required,
    fieldIds,
    arrows,
    initial,
    docId,
    why,
    eligibleCount,
    firstReason,
    current,
    custom,
    anyStatus,
    refund,
    live,
    budgeted,
  ];
}
