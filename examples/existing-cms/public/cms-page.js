// The CMS's glue: its session cookie goes along by itself (same origin); every request also
// carries the CSRF token the CMS rendered into the page.
import { createAdapter } from '/node_modules/orderflow/dist/orderflow-elements.js';

const csrf = document.querySelector('meta[name="csrf-token"]').content;
const workspace = document.querySelector('of-order-workspace');
workspace.actor = { role: 'store_manager', stores: ['1'] };
workspace.api = createAdapter({ dialect: 'cms', headers: () => ({ 'X-CSRF-Token': csrf }) });
