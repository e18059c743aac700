// Browser entry of the orderflow module: the .wasm is fetched from next to this file (bundlers
// such as Vite see the `new URL(..., import.meta.url)` and ship the file); `wasmUrl`,
// `locateFile` or `wasmBinary` override where the bytes come from.
import createOrderflowModule from './orderflow.js';
import { makeCreateOrderFlow, OrderflowError } from './facade.js';

export { OrderflowError } from './facade.js';

const defaultWasmUrl = new URL('./orderflow.wasm', import.meta.url).href;

/** Loads the engine (once; later calls share it) and returns an OrderFlow. */
export const createOrderFlow = makeCreateOrderFlow((options) => {
  const moduleOptions = {};
  let tried = null; // the URL the glue asked for, named if loading fails
  if (options.wasmBinary) moduleOptions.wasmBinary = options.wasmBinary;
  if (typeof options.locateFile === 'function') {
    moduleOptions.locateFile = (path, prefix) => {
      const url = options.locateFile(path, prefix);
      if (path.endsWith('.wasm')) tried = url;
      return url;
    };
  } else {
    const url = options.wasmUrl ? String(options.wasmUrl) : defaultWasmUrl;
    moduleOptions.locateFile = (path, prefix) => (path.endsWith('.wasm') ? (tried = url) : prefix + path);
  }
  // The glue reports a failed fetch only as "Aborted(both async and sync fetching of the wasm
  // failed)": say which URL it was.
  return createOrderflowModule(moduleOptions).catch((e) => {
    const where = options.wasmBinary ? 'the given wasmBinary' : String(tried ?? defaultWasmUrl);
    throw new OrderflowError(
      `orderflow: could not load the WebAssembly module from ${where} (${(e && e.message) || e})`,
      [],
      'wasm_load_failed',
    );
  });
});

export default createOrderFlow;
