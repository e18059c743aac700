// Kept for pages that imported the repository's source: the package entry is ./elements.js.
export * from './elements.js';
export { OfNotificationsView } from './elements/of-notifications-view.js';
export { OfAuditView } from './elements/of-audit-view.js';
export { AdminApi } from './api/admin.js';
