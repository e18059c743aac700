// What a notification says: the webhook's JSON body and the e-mail's subject and text. Status
// labels and workflow names come from the workflow documents (the engine's), never from here.

function statusLabel(view, status) {
  const id = view?.normalize(status) ?? status;
  return view?.byId.get(id)?.label ?? status;
}

// content: DeliveryStore.content(); views: {workflowId: WorkflowView}.
export function webhookPayload(content, views) {
  const workflow = content.items[0]?.workflow ?? null;
  const view = views[workflow];
  const orders = content.items.map((it) => ({
    id: it.order_id,
    status: view?.normalize(it.status) ?? it.status,
    status_label: statusLabel(view, it.status),
    lock_version: it.lock_version,
    store_id: it.store_id,
    customer_name: it.customer_name,
  }));
  return {
    // Standard Webhooks' recommended envelope: {type, timestamp, data}.
    type: content.kind === 'batch' ? 'orders.status_changed' : 'order.status_changed',
    timestamp: content.created_at,
    data: { notification_id: content.id, kind: content.kind, workflow, workflow_name: view?.wf.document.name ?? workflow, orders },
  };
}

export function mailMessage(content, views) {
  const payload = webhookPayload(content, views);
  const { orders, workflow_name: name } = payload.data;
  const labels = [...new Set(orders.map((o) => o.status_label))];
  const subject =
    orders.length === 1
      ? `${name}: order #${orders[0].id} is now ${orders[0].status_label}`
      : `${name}: ${orders.length} orders are now ${labels.join(' / ')}`;
  const lines = orders.map((o) => `Order #${o.id} (${o.customer_name}, store ${o.store_id}): ${o.status_label}`);
  const text = `${lines.join('\n')}\n\nNotification ${content.id}, ${content.created_at}.\n`;
  return { subject, text };
}
