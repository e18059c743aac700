// `orderflow/elements/of-order-list`: defines <of-order-list> only.
export { OfOrderList } from '../elements.js';
