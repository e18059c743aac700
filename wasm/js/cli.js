#!/usr/bin/env node
// orderflow command line:
//   orderflow lint <workflow.json>          every problem as "path: message"; exit 1 if any
//   orderflow graph <workflow.json | id>    a Mermaid stateDiagram-v2 of the workflow
// Exit codes: 0 ok, 1 the workflow has problems, 2 usage error or unreadable file.
import { readFileSync } from 'node:fs';
import { createOrderFlow, OrderflowError } from './index.node.js';
import { mermaid } from './graph.js';

const USAGE = `usage: orderflow lint <workflow.json>
       orderflow graph <workflow.json | built-in id>`;

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

async function main(argv) {
  const [command, target, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if ((command !== 'lint' && command !== 'graph') || !target || rest.length) {
    fail(USAGE, 2);
    return;
  }
  const flow = await createOrderFlow();
  let workflow;
  if (command === 'graph' && flow.workflows.includes(target)) {
    workflow = flow.workflow(target);
  } else {
    const { text, error } = readText(target);
    if (error) { fail(error, 2); return; }
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
    process.stdout.write(`ok: ${target}: workflow "${workflow.id}" with `
      + `${count(workflow.statuses.length, 'status', 'statuses')}, `
      + `${count(workflow.transitions.length, 'transition', 'transitions')}, `
      + `${count(workflow.roles.length, 'role', 'roles')}\n`);
  } else {
    process.stdout.write(mermaid(workflow));
  }
}

main(process.argv.slice(2)).catch((e) => fail(`orderflow: ${e && e.stack ? e.stack : e}`, 2));
