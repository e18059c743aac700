// The virtualizer, in a module of its own so the list imports it (dynamic import) only when a
// page holds more rows than it renders at once: short lists never load it, and the self-contained
// bundle keeps it in a chunk next to itself (dist/orderflow-elements-virtual.js).
export { VirtualizerController } from '@tanstack/lit-virtual';
