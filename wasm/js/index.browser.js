// Browser entry of the orderflow module: the .wasm is fetched from next to this file (bundlers
// such as Vite see the `new URL(..., import.meta.url)` and ship the file); `wasmUrl`,
// `locateFile` or `wasmBinary` override where the bytes come from.
import createOrderflowModule from './orderflow.js';
import { makeCreateOrderFlow } from './facade.js';

export { OrderflowError } from './facade.js';

const defaultWasmUrl = new URL('./orderflow.wasm', import.meta.url).href;

/** Loads the engine (once; later calls share it) and returns an OrderFlow. */
export const createOrderFlow = makeCreateOrderFlow((options) => {
  const moduleOptions = {};
  if (options.wasmBinary) moduleOptions.wasmBinary = options.wasmBinary;
  if (typeof options.locateFile === 'function') {
    moduleOptions.locateFile = options.locateFile;
  } else {
    const url = options.wasmUrl ? String(options.wasmUrl) : defaultWasmUrl;
    moduleOptions.locateFile = (path, prefix) => (path.endsWith('.wasm') ? url : prefix + path);
  }
  return createOrderflowModule(moduleOptions);
});

export default createOrderFlow;
