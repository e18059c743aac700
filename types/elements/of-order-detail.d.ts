// `orderflow/elements/of-order-detail`: defines <of-order-detail> only.
export { OfOrderDetail } from '../elements.js';
