// The delivery admin panel's glue: the bundle (Lit, elements, engine; the .wasm next to it) and an
// adapter for this API as its document writes it. The token and role come from the CMS's own
// session (here: fixed demo users; ?user=manager picks the other one).
import { createAdapter } from '/node_modules/orderflow/dist/orderflow-elements.js';

const USERS = {
  admin: { name: 'Ada Admin', role: 'admin', token: 'admin-token' },
  manager: { name: 'Max Manager', role: 'manager', token: 'manager-token' },
};
const params = new URLSearchParams(location.search);
const user = USERS[params.get('user')] ?? USERS.admin;
document.getElementById('who').textContent = user.name;

const workspace = document.querySelector('of-order-workspace');
workspace.actor = { role: user.role };
// this API has no event stream: re-read the list every 15 s (or ?poll=ms) to show others' changes
workspace.pollInterval = Number(params.get('poll')) || 15000;
workspace.api = createAdapter({ dialect: 'delivery', token: () => user.token });
