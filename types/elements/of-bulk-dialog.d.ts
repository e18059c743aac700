// `orderflow/elements/of-bulk-dialog`: defines <of-bulk-dialog> only.
export { OfBulkDialog } from '../elements.js';
