#!/usr/bin/env node
// orderflow command line:
//   orderflow lint <workflow.json>          every problem as "path: message"; exit 1 if any
//   orderflow graph <workflow.json | id>    a Mermaid stateDiagram-v2 of the workflow
//   orderflow types <workflow.json | id> [--out file.d.ts] [--name TypeName]
//                                           TypeScript declarations: its ids as string unions
// Exit codes: 0 ok, 1 the workflow has problems, 2 usage error or unreadable file.
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { createOrderFlow, OrderflowError } from './index.node.js';
import { mermaid } from './graph.js';
import { declarations, isTypeName, typeName } from './types.js';

const USAGE = `usage: orderflow lint <workflow.json>
       orderflow graph <workflow.json | built-in id>
       orderflow types <workflow.json | built-in id> [--out file.d.ts] [--name TypeName]`;
const COMMANDS = new Set(['lint', 'graph', 'types']);

function fail(message, code) {
  process.stderr.write(`${message}\n`);
  process.exitCode = code;
}

function readText(file) {
  try {
    return { text: readFileSync(file, 'utf8') };
  } catch (e) {
    return { error: `orderflow: cannot read ${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}` };
  }
}

function printProblems(problems) {
  for (const p of problems) process.stdout.write(`${p.path || '(document)'}: ${p.message}\n`);
}

// Options (only `types` has any) through node:util's parseArgs; null when the line is not valid.
function parse(argv) {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { out: { type: 'string' }, name: { type: 'string' } },
    });
    const [command, target, ...rest] = positionals;
    if (!COMMANDS.has(command) || !target || rest.length) return null;
    if (command !== 'types' && Object.keys(values).length) return null;
    return { command, target, ...values };
  } catch {
    return null;
  }
}

async function main(argv) {
  if (['--help', '-h', 'help'].includes(argv[0])) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const args = parse(argv);
  if (!args) {
    fail(USAGE, 2);
    return;
  }
  const { command, target } = args;
  if (args.name !== undefined && !isTypeName(args.name)) {
    fail(`orderflow: --name ${JSON.stringify(args.name)} is not a TypeScript identifier`, 2);
    return;
  }
  const flow = await createOrderFlow();
  let workflow;
  if (command !== 'lint' && flow.workflows.includes(target)) {
    workflow = flow.workflow(target);
  } else {
    const { text, error } = readText(target);
    if (error) {
      fail(error, 2);
      return;
    }
    try {
      workflow = flow.loadText(text);
    } catch (e) {
      if (!(e instanceof OrderflowError)) throw e;
      printProblems(e.problems);
      const n = e.problems.length;
      fail(`${target}: ${n} problem${n === 1 ? '' : 's'}`, 1);
      return;
    }
  }
  if (command === 'lint') {
    const count = (n, one, many) => `${n} ${n === 1 ? one : many}`;
    process.stdout.write(
      `ok: ${target}: workflow "${workflow.id}" with ` +
        `${count(workflow.statuses.length, 'status', 'statuses')}, ` +
        `${count(workflow.transitions.length, 'transition', 'transitions')}, ` +
        `${count(workflow.roles.length, 'role', 'roles')}\n`,
    );
  } else if (command === 'graph') {
    process.stdout.write(mermaid(workflow));
  } else {
    writeTypes(workflow, target, args);
  }
}

function writeTypes(workflow, target, { out, name = typeName(workflow.id) }) {
  // the path users import the declarations by: next to the output file, or the input's name
  const stem = out ? basename(out).replace(/\.d\.[cm]?ts$|\.ts$/, '') : basename(target).replace(/\.json$/i, '');
  const text = declarations(workflow, { name, source: basename(target), module: `./${stem}.js` });
  if (!out) {
    process.stdout.write(text);
    return;
  }
  try {
    writeFileSync(out, text);
  } catch (e) {
    fail(`orderflow: cannot write ${out}: ${e.message}`, 2);
  }
}

main(process.argv.slice(2)).catch((e) => fail(`orderflow: ${e && e.stack ? e.stack : e}`, 2));
