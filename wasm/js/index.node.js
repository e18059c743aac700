// Node entry of the orderflow module: reads the .wasm bytes next to this file and hands them to
// the (web-only) Emscripten glue, which cannot fetch file paths itself on Emscripten 3.1.6.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import createOrderflowModule from './orderflow.js';
import { makeCreateOrderFlow, OrderflowError } from './facade.js';

export { OrderflowError } from './facade.js';

const wasmUrl = new URL('./orderflow.wasm', import.meta.url);
let wasmBinary = null;
const compiled = new WeakMap(); // bytes -> WebAssembly.Module, so a replacement compiles nothing

function readWasm() {
  try {
    return (wasmBinary ??= readFileSync(wasmUrl));
  } catch (e) {
    throw new OrderflowError(
      `orderflow: could not load the WebAssembly module from ${fileURLToPath(wasmUrl)} (${e.message})`,
      [],
      'wasm_load_failed',
    );
  }
}

// The bytes are compiled and instantiated synchronously, through the glue's instantiateWasm hook
// (which it calls synchronously): in a fresh process that is about 1 ms sooner than giving it the
// bytes, whose async WebAssembly.instantiate waits for a compile thread and some event-loop turns.
// Then the glue's run() completes before createOrderflowModule returns, and the options object is
// the ready module: that is how an aborted instance is replaced at once (facade.js, Engine).
// Bytes that do not compile or link go the glue's own way, so such a failure reads as before.
function instantiate(bytes, fresh) {
  let module = compiled.get(bytes);
  if (!module) {
    try {
      module = new WebAssembly.Module(bytes);
    } catch {
      return createOrderflowModule({ wasmBinary: bytes });
    }
    compiled.set(bytes, module);
  }
  let linked = true;
  const options = {
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
  };
  const ready = createOrderflowModule(options);
  if (!linked) return createOrderflowModule({ wasmBinary: bytes });
  return fresh && options.calledRun ? options : ready;
}

/** Loads the engine (once; later calls share it) and returns an OrderFlow. */
export const createOrderFlow = makeCreateOrderFlow((options, fresh = false) => {
  const bytes = options.wasmBinary ?? readWasm();
  const module = instantiate(bytes, fresh);
  if (typeof module.then !== 'function') return module;
  return module.catch((e) => {
    const where = options.wasmBinary ? 'the given wasmBinary' : fileURLToPath(wasmUrl);
    throw new OrderflowError(
      `orderflow: could not load the WebAssembly module from ${where} (${(e && e.message) || e})`,
      [],
      'wasm_load_failed',
    );
  });
});

export default createOrderFlow;
