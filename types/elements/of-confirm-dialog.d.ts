// `orderflow/elements/of-confirm-dialog`: defines <of-confirm-dialog> only.
export { OfConfirmDialog } from '../elements.js';
