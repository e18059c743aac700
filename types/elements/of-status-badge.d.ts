// `orderflow/elements/of-status-badge`: defines <of-status-badge> only.
export { OfStatusBadge } from '../elements.js';
