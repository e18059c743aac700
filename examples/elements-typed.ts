// The elements' and adapters' declarations in use (checked by `npm run typecheck`).
import {
  createAdapter,
  withFallbacks,
  rulesFor,
  ApiError,
  overrideMessages,
  defineMessages,
  english,
  type OrderAdapter,
  type OfOrderWorkspace,
  type StatusChange,
  type CompleteAdapter,
} from 'orderflow/elements';
import type { OfStatusDropdown } from 'orderflow/elements/of-status-dropdown';

export async function embed(): Promise<void> {
  const api = createAdapter({ dialect: 'delivery', baseUrl: 'https://cms.example.test', token: () => sessionStorage.getItem('token') });
  const custom: OrderAdapter = {
    async listOrders(q) {
      return { orders: [{ id: 1, status: 'pending' }], total: 1, page: q.page };
    },
    async updateStatus(id, change: StatusChange) {
      return { order: { id, status: change.status } };
    },
  };
  const full: CompleteAdapter = withFallbacks(custom, { concurrency: 2, pollInterval: 10_000 });
  const history = await full.history(1);
  if (history === null) console.log('no history kept');
  const bulk = await full.bulkUpdate([1, 2], { status: 'confirmed' }, { onProgress: (done, total) => console.log(done, total) });
  console.log(bulk.results.filter((r) => !r.ok).map((r) => r.message));

  const ws: OfOrderWorkspace = document.createElement('of-order-workspace');
  ws.api = api;
  ws.workflow = 'delivery';
  ws.actor = { role: 'admin' };
  ws.pollInterval = 15_000;
  ws.controls = 'buttons';
  ws.columns = ['customer', 'total']; // a ListColumn list; 'phone' would not compile
  overrideMessages('en', { bulkActions: 'Mass edit', nSelected: ({ n }, f) => `${f.n(n)} ticked` });
  defineMessages('fr', { confirm: 'Confirmer' });
  console.log(typeof english.retry === 'string' ? english.retry : '');
  ws.addEventListener('of-loaded', (e) => console.log(e.detail.count, e.detail.total));
  const dd: OfStatusDropdown | null = document.querySelector('of-status-dropdown');
  dd?.addEventListener('of-status-select', (e) => console.log(e.detail.orderId, e.detail.to));
  const rules = await rulesFor({ workflow: 'cms', actor: { role: 'store_manager', stores: ['1'] } });
  console.log(rules.allowed({ id: 1, status: 'new' }).map((o) => o.label));
  try {
    await api.updateStatus(1, { status: 'confirmed' });
  } catch (e) {
    if (e instanceof ApiError) console.log(e.kind, e.status, e.message, e.messageKey ?? "the server's own words");
  }
}
