// Node entry of the orderflow module: reads the .wasm bytes next to this file and hands them to
// the (web-only) Emscripten glue, which cannot fetch file paths itself on Emscripten 3.1.6.
import { readFileSync } from 'node:fs';
import createOrderflowModule from './orderflow.js';
import { makeCreateOrderFlow } from './facade.js';

export { OrderflowError } from './facade.js';

let wasmBinary = null;

/** Loads the engine (once; later calls share it) and returns an OrderFlow. */
export const createOrderFlow = makeCreateOrderFlow((options) => createOrderflowModule({
  wasmBinary: options.wasmBinary
    ?? (wasmBinary ??= readFileSync(new URL('./orderflow.wasm', import.meta.url))),
}));

export default createOrderFlow;
