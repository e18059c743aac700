// The detail view as the workspace loads it on first use: the element (with its timeline and
// diagram) and the controller that drives it, one import, so the self-contained bundle keeps them
// in one chunk next to itself (dist/orderflow-elements-of-order-detail.js).
import '../of-order-detail.js';
export { DetailController } from '../workspace/detail-controller.js';
