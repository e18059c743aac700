// `orderflow/elements/of-order-workspace`: defines <of-order-workspace> only.
export { OfOrderWorkspace } from '../elements.js';
