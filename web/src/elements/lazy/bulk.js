// The bulk dialog as the workspace loads it on first use: the element and the controller that
// drives it, one import, so the self-contained bundle keeps them in one chunk next to itself
// (dist/orderflow-elements-of-bulk-dialog.js).
import '../of-bulk-dialog.js';
export { BulkController } from '../workspace/bulk-controller.js';
