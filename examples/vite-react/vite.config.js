// A plain object is a valid Vite config (no import of 'vite' needed). orderflow stays out of
// the dev server's pre-bundling so its `new URL('orderflow.wasm', import.meta.url)` keeps
// pointing at the .wasm; `vite build` ships the .wasm as an asset by itself.
export default {
  optimizeDeps: { exclude: ['orderflow'] },
};
