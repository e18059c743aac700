// `orderflow/elements/of-alert`: defines <of-alert> only.
export { OfAlert } from '../elements.js';
