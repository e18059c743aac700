// Debug build only (ORDERFLOW_WASM_DEBUG): with -sASSERTIONS Emscripten 3.1.6's web-only glue
// throws "not compiled for this environment" unless `window` or `importScripts` exists. The
// debug package also runs under Node (the Node entry passes wasmBinary, so nothing is fetched),
// so give that check what it looks for. This build knows only the web environment
// (ENVIRONMENT_IS_WORKER is a constant false), so nothing else reads it.
/* exported importScripts */
var importScripts =
  typeof window == 'object'
    ? undefined
    : function () {
        throw new Error('importScripts is not available here');
      };
