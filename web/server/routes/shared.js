// Routes both dialects share: health and stores.
import { WorkflowView } from '../services/orders.js';
import { badRequest } from '../http/errors.js';

const tag = 'shared';

export function sharedRoutes({ define, views, storeRows, streams, loopDelay, requireUser }) {
  define({
    method: 'GET',
    url: '/api/health',
    public: true,
    schema: {
      summary: 'Liveness, open event streams, event-loop delay',
      tags: [tag],
      response: {
        200: {
          type: 'object',
          properties: {
            success: { const: true },
            status: { const: 'ok' },
            event_streams: { type: 'integer' },
            event_loop_delay_ms: { type: ['object', 'null'] },
          },
        },
      },
    },
    handler: () => ({
      status: 200,
      body: { success: true, status: 'ok', event_streams: streams.size, event_loop_delay_ms: loopDelay.read() },
    }),
  });

  // Every store; with ?workflow=<id> and a signed-in user, only the stores whose orders that user
  // may see in that workflow (the role's scope, from the workflow document).
  define({
    method: 'GET',
    url: '/api/stores',
    public: true,
    schema: {
      summary: 'The stores (with ?workflow=: those the signed-in user may see in it)',
      tags: [tag],
      querystring: { type: 'object', properties: { workflow: { type: 'string', description: Object.keys(views).join(' | ') } } },
      response: {
        200: {
          type: 'object',
          properties: {
            success: { const: true },
            stores: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' } } } },
          },
        },
      },
    },
    handler: (ctx) => {
      const id = ctx.url.searchParams.get('workflow');
      if (id === null) return { status: 200, body: { success: true, stores: storeRows } };
      const view = Object.hasOwn(views, id) ? views[id] : null; // "__proto__" is not a workflow
      if (!view) throw badRequest(ctx, `Unknown workflow "${id.slice(0, 40)}" (workflows: ${Object.keys(views).join(', ')})`);
      const visible = view.visibleStores(requireUser(ctx)) ?? [];
      return { status: 200, body: { success: true, stores: storeRows.filter((r) => WorkflowView.canSee(visible, r.id)) } };
    },
  });
}
