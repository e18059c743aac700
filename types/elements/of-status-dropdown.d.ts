// `orderflow/elements/of-status-dropdown`: defines <of-status-dropdown> only.
export { OfStatusDropdown } from '../elements.js';
