// The package entry `orderflow/elements`: defines every custom element and exports the adapter
// factory, the fallbacks, the rules helpers and the string functions (defineMessages,
// overrideMessages). One entry per element: `orderflow/elements/of-*`.
// Types: types/elements.d.ts, types/adapter.d.ts; manifest: custom-elements.json.
export { OfStatusBadge } from './elements/of-status-badge.js';
export { OfStatusDropdown } from './elements/of-status-dropdown.js';
export { OfAlert } from './elements/of-alert.js';
export { OfConfirmDialog } from './elements/of-confirm-dialog.js';
export { OfHistoryTimeline } from './elements/of-history-timeline.js';
export { OfWorkflowDiagram } from './elements/of-workflow-diagram.js';
export { OfOrderDetail } from './elements/of-order-detail.js';
export { OfOrderList } from './elements/of-order-list.js';
export { OfBulkDialog } from './elements/of-bulk-dialog.js';
export { OfOrderWorkspace } from './elements/of-order-workspace.js';
export { createAdapter, withFallbacks, createClient, DIALECTS, ApiError, normalizeBulk, plainStatusSentence } from './api/index.js';
export { Rules, loadFlow } from './rules.js';
export { rulesFor } from './workflow-source.js';
export { defineMessages, overrideMessages, english } from './i18n/index.js';
// (a page with a bundler has every element defined by this entry; kept for the bundle's API)
export async function loadAllElements() {}
