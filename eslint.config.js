// ESLint (flat config): @eslint/js's recommended rules over every JavaScript file we write, with
// the globals of where each part runs. `npm run lint`; the test command runs it as its own suite.
// TypeScript files (examples/*.ts, types/, wasm/js/index.d.ts) are checked by tsc instead
// (`npm run typecheck` and tests/node/module-types.test.js).
import js from '@eslint/js';
import globals from 'globals';

const BROWSER = ['web/src/**', 'examples/existing-cms/public/**', 'examples/vite-react/src/**'];

export default [
  { ignores: ['**/node_modules/', 'build/', '**/dist/', 'test-results/', '.cache/', '.data/'] },
  js.configs.recommended,
  {
    files: ['**/*.{js,mjs,jsx}'],
    languageOptions: { ecmaVersion: 'latest', sourceType: 'module' },
    rules: {
      // `const { id, ...rest } = x` is how the code leaves a key out of a copy.
      'no-unused-vars': ['error', { ignoreRestSiblings: true }],
    },
  },
  // Code that runs in the browser only: the elements and adapters, the demo page, the examples' pages.
  { files: BROWSER, languageOptions: { globals: { ...globals.browser } } },
  // Everything else runs under Node.
  { files: ['**/*.{js,mjs,jsx}'], ignores: BROWSER, languageOptions: { globals: { ...globals.node } } },
  // Node tests and benchmarks that drive Chromium: the functions they hand to page.evaluate run in the page.
  { files: ['tests/e2e/**', 'bench/ui.bench.js'], languageOptions: { globals: { ...globals.node, ...globals.browser } } },
  // Emscripten's --pre-js: a classic script pasted in front of the glue, whose top-level `var` is a global.
  { files: ['wasm/src/debug-pre.js'], languageOptions: { sourceType: 'script' } },
  // The module's JavaScript runs in both (index.node.js / index.browser.js pick the entry).
  { files: ['wasm/js/**'], languageOptions: { globals: { ...globals.node, ...globals.browser } } },
  { files: ['**/*.jsx'], languageOptions: { parserOptions: { ecmaFeatures: { jsx: true } } } },
];
