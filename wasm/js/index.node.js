// Node entry of the orderflow module: reads the .wasm bytes next to this file and hands them to
// the (web-only) Emscripten glue, which cannot fetch file paths itself on Emscripten 3.1.6.
import { readFileSync } from 'node:fs';
import createOrderflowModule from './orderflow.js';
import { makeCreateOrderFlow } from './facade.js';

export { OrderflowError } from './facade.js';

let wasmBinary = null;

// The bytes are compiled and instantiated synchronously, through the glue's instantiateWasm hook
// (which it calls synchronously): in a fresh process that is about 1 ms sooner than giving it the
// bytes, whose async WebAssembly.instantiate waits for a compile thread and some event-loop turns.
// Bytes that do not compile or link go the glue's own way, so such a failure reads as before.
function instantiate(bytes) {
  let module;
  try {
    module = new WebAssembly.Module(bytes);
  } catch {
    return createOrderflowModule({ wasmBinary: bytes });
  }
  let linked = true;
  const ready = createOrderflowModule({
    instantiateWasm(imports, receiveInstance) {
      try {
        const instance = new WebAssembly.Instance(module, imports);
        receiveInstance(instance, module);
        return instance.exports;
      } catch {
        linked = false;
        return {};
      }
    },
  });
  return linked ? ready : createOrderflowModule({ wasmBinary: bytes });
}

/** Loads the engine (once; later calls share it) and returns an OrderFlow. */
export const createOrderFlow = makeCreateOrderFlow((options) => instantiate(options.wasmBinary
  ?? (wasmBinary ??= readFileSync(new URL('./orderflow.wasm', import.meta.url)))));

export default createOrderFlow;
