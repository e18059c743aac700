// Build step (wasm/CMakeLists.txt): writes dist/workflows.d.ts, the types of the built-in
// workflows, from their JSON documents, with the same generator as `orderflow types`, so the
// declarations cannot drift from the data. (tests/node/module-types.test.js compares them with
// what the engine loads.)
//   node wasm/builtin-types.js <out.d.ts> <id>=<file.json>...
import { readFileSync, writeFileSync } from 'node:fs';
import { typeName, workflowInterface } from './js/types.js';

const [out, ...inputs] = process.argv.slice(2);
if (!out || !inputs.length) {
  process.stderr.write('usage: node wasm/builtin-types.js <out.d.ts> <id>=<file.json>...\n');
  process.exit(2);
}
const builtins = inputs.map((arg) => {
  const at = arg.indexOf('=');
  const id = arg.slice(0, at);
  const doc = JSON.parse(readFileSync(arg.slice(at + 1), 'utf8'));
  if (doc.id !== id) throw new Error(`${arg}: the document's id is ${JSON.stringify(doc.id)}`);
  return { id, name: typeName(id), doc };
});

const text = [
  "// The built-in workflows' ids as string unions (generated from core/workflows/*.json by",
  '// wasm/builtin-types.js at build time: do not edit).',
  '',
  ...builtins.map((b) => workflowInterface(b.doc, b.name)),
  "/** The built-in workflows by id: `flow.workflow('cms')` is a `Workflow<CmsWorkflow>`. */",
  'export interface BuiltinWorkflows {',
  ...builtins.map((b) => `  ${JSON.stringify(b.id)}: ${b.name};`),
  '}',
  '',
].join('\n');
writeFileSync(out, text);
