// A typed tour of the orderflow module: every function, checked by `npm run typecheck`
// (tsc --noEmit). Run it with a TypeScript-aware runner, or read it as documentation.
import createDefault, {
  createOrderFlow,
  OrderflowError,
  type Actor,
  type AllowedOptions,
  type BulkPlan,
  type CheckResult,
  type EngineError,
  type NormalizeResult,
  type Order,
  type OrderFlow,
  type Workflow,
} from 'orderflow';

export async function tour(): Promise<void> {
  const flow: OrderFlow = await createOrderFlow();
  const same: OrderFlow = await createDefault({ wasmUrl: new URL('https://example.test/orderflow.wasm') });
  const ids: readonly string[] = flow.workflows;

  const wf: Workflow = flow.workflow('cms');
  const labels: string[] = wf.statuses.map((s) => `${s.label} (${s.color})${s.terminal ? ' — final' : ''}`);
  const roles: string[] = wf.roles.map((r) => `${r.id}:${r.scope ?? 'all'}${r.readOnly ? ' read-only' : ''}`);
  const required: string[] = wf.transitions.flatMap((t) => [...(t.requires ?? [])]);
  const fieldIds: string[] = wf.fields.map((f) => f.id);
  const arrows: string[] = wf.edges.map((e) => `${e.from} -> ${e.to}${e.action ? ` (${e.action})` : ''}: ${e.roles.join(', ')}`);
  const initial: string = wf.initial;
  const docId: unknown = wf.document['id'];

  const order: Order = {
    id: 17, status: 'new', store_id: 's1', lock_version: 3, payment_status: 'paid',
    items: [{ sku: 'A-1', quantity: 2, in_stock: true }, { sku: 'B-2', quantity: 1, in_stock: 4 }],
  };
  const actor: Actor = { role: 'store_manager', stores: ['s1'] };

  const options: AllowedOptions = wf.allowed(order, actor);
  for (const o of options) {
    const needs: string[] = o.requires;
    const mayFill: string[] = o.optional;
    const ask: boolean = o.confirm;
    const button: string = o.action ?? o.label;
    void [needs, mayFill, ask, button];
  }
  const why: EngineError[] = options.errors;

  const verdict: CheckResult = wf.check(order, 'rejected', { rejection_reason: 'ID expired', notes: 'called' }, actor);
  if (!verdict.ok) {
    for (const e of verdict.errors) console.log(e.code, e.message, e.field ?? '');
  }

  const plan: BulkPlan = wf.planBulk([order, { ...order, id: 18, status: 'completed' }], 'processing', {}, actor);
  const eligibleCount: number = plan.eligible.length;
  const firstReason: string | undefined = plan.blocked[0]?.errors[0]?.code;

  const delivery = flow.workflow('delivery');
  const n: NormalizeResult = delivery.normalize('shipped');
  const current: string = n.ok ? n.status : n.error.message;

  const custom: Workflow = flow.loadText(JSON.stringify({ ...wf.document, id: 'cms-copy' }));
  try {
    flow.workflow({ id: 'broken' });
  } catch (e) {
    if (e instanceof OrderflowError) {
      for (const p of e.problems) console.log(`${p.path}: ${p.message}`);
      if (e.code === 'memory_budget') console.log('dispose() some workflows');
    }
  }
  const live: number = flow.liveWorkflows + flow.memoryBytes + flow.memory.used - flow.memory.budget;
  custom.dispose();  // its engine memory is released now, not when collected
  await flow.ready;
  const budgeted: Promise<OrderFlow> = createOrderFlow({ memoryBudget: 256 * 1024 * 1024 });

  void [same, ids, labels, roles, required, fieldIds, arrows, initial, docId, why, eligibleCount, firstReason, current, custom, live, budgeted];
}
