// The entry of the self-contained bundle (dist/orderflow-elements.js, web/vite.bundle.config.js):
// what `orderflow/elements` exports, except the classes of the elements the workspace loads on
// first use (the detail view with its timeline and diagram, the bulk dialog). Exporting them would
// put them in the bundle every page loads at start; here they sit in chunks next to the bundle.
// A page that uses those elements on their own calls loadAllElements() first.
export { OfStatusBadge } from './elements/of-status-badge.js';
export { OfStatusDropdown } from './elements/of-status-dropdown.js';
export { OfAlert } from './elements/of-alert.js';
export { OfConfirmDialog } from './elements/of-confirm-dialog.js';
export { OfOrderList } from './elements/of-order-list.js';
export { OfOrderWorkspace } from './elements/of-order-workspace.js';
export { createAdapter, withFallbacks, createClient, DIALECTS, ApiError, normalizeBulk, plainStatusSentence } from './api/index.js';
export { Rules, loadFlow } from './rules.js';
export { rulesFor } from './workflow-source.js';
export { defineMessages, overrideMessages, english } from './i18n/index.js';

/** Defines every element of the package (the ones the bundle loads later too); resolves when done. */
export async function loadAllElements() {
  // the workspace's lazy parts (each element with its controller): the same chunks it loads
  await Promise.all([import('./elements/lazy/detail.js'), import('./elements/lazy/bulk.js')]);
}
