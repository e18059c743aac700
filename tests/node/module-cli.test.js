// The installed `orderflow` bin (lint, graph) and the TypeScript declarations (tsc --noEmit on
// examples/typed.ts against the installed package).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installPackage, ROOT } from './support/package.js';
import { typecheck } from './support/typescript.js';

let pkg;
let work;
before(() => {
  pkg = installPackage();
  work = mkdtempSync(join(tmpdir(), 'orderflow-cli-'));
});

function cli(...args) {
  const r = spawnSync(pkg.bin, args, { encoding: 'utf8', cwd: work });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const cmsText = () => readFileSync(join(ROOT, 'core/workflows/cms.json'), 'utf8');

test('lint: a valid workflow prints an ok summary and exits 0', () => {
  for (const id of ['cms', 'delivery']) {
    const file = join(work, `${id}.json`);
    copyFileSync(join(ROOT, `core/workflows/${id}.json`), file);
    const r = cli('lint', file);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, new RegExp(`^ok: .*${id}\\.json: workflow "${id}"`));
  }
});

test('lint: every problem as "path: message", exit 1', () => {
  const doc = JSON.parse(cmsText());
  doc.transitions[3].to = 'shiped';
  doc.statuses[1].id = 'new'; // duplicate
  doc.roles[0].scope = 'everywhere';
  const file = join(work, 'bad.json');
  writeFileSync(file, JSON.stringify(doc, null, 2));
  const r = cli('lint', file);
  assert.equal(r.code, 1, r.out + r.err);
  const lines = r.out.trim().split('\n');
  assert.ok(lines.length >= 3, r.out);
  for (const line of lines) assert.match(line, /^[^:]+: \S/);
  assert.ok(lines.includes('transitions[3].to: unknown status "shiped"'), r.out);
  assert.ok(
    lines.some((l) => l.startsWith('statuses[1]')),
    r.out,
  );
  assert.ok(
    lines.some((l) => l.startsWith('roles[0].scope')),
    r.out,
  );
  assert.match(r.err, /problems?/);
});

test('lint: syntax errors, unreadable files and usage errors', () => {
  const file = join(work, 'syntax.json');
  writeFileSync(file, '{"id": "x",,}');
  const syntax = cli('lint', file);
  assert.equal(syntax.code, 1);
  assert.ok(syntax.out.trim().length > 0);
  const missing = cli('lint', join(work, 'nope.json'));
  assert.equal(missing.code, 2);
  assert.match(missing.err, /cannot read .*nope\.json/);
  const dir = cli('lint', work);
  assert.equal(dir.code, 2);
  assert.equal(cli().code, 2);
  assert.equal(cli('paint', file).code, 2);
  assert.equal(cli('lint').code, 2);
  assert.match(cli('lint').err, /usage: orderflow lint/);
  assert.equal(cli('--help').code, 0);
});

test('graph: a Mermaid stateDiagram-v2 of a built-in id or a file', () => {
  const r = cli('graph', 'cms');
  assert.equal(r.code, 0, r.err);
  const lines = r.out
    .trim()
    .split('\n')
    .map((l) => l.trim());
  assert.equal(lines[0], 'stateDiagram-v2');
  assert.ok(lines.includes('[*] --> new'));
  for (const terminal of ['completed', 'cancelled', 'rejected']) assert.ok(lines.includes(`${terminal} --> [*]`), terminal);
  assert.ok(lines.includes('state "Ready for Pickup" as ready_for_pickup'));
  const edges = lines.filter((l) => /^\w+ --> \w+/.test(l)).map((l) => l.split(' : ')[0]);
  assert.deepEqual(
    edges.sort(),
    [
      'new --> cancelled',
      'new --> processing',
      'new --> rejected',
      'processing --> cancelled',
      'processing --> completed',
      'processing --> ready_for_pickup',
      'ready_for_pickup --> cancelled',
      'ready_for_pickup --> completed',
    ].sort(),
  );
  const accept = lines.find((l) => l.startsWith('new --> processing'));
  assert.match(accept, /fulfillment/);
  assert.doesNotMatch(
    lines.find((l) => l.startsWith('new --> cancelled')),
    /fulfillment/,
  );

  const file = join(work, 'delivery.json');
  copyFileSync(join(ROOT, 'core/workflows/delivery.json'), file);
  const d = cli('graph', file);
  assert.equal(d.code, 0, d.err);
  const dl = d.out
    .trim()
    .split('\n')
    .map((l) => l.trim());
  const dEdges = dl
    .filter((l) => /^\w+ --> \w+/.test(l))
    .map((l) => l.split(' : ')[0])
    .sort();
  assert.deepEqual(
    dEdges,
    [
      'assigned --> cancelled',
      'assigned --> in_transit',
      'confirmed --> assigned',
      'confirmed --> cancelled',
      'in_transit --> cancelled',
      'in_transit --> delivered',
      'pending --> cancelled',
      'pending --> confirmed',
    ].sort(),
    'the "*" transition is drawn from every non-terminal status',
  );
  assert.ok(dl.includes('[*] --> pending'));
  assert.equal(cli('graph', join(work, 'bad.json')).code, 1);
});

test('graph: status ids that Mermaid cannot take are drawn under generated names, labels kept readable', () => {
  const doc = {
    id: 'odd',
    name: 'Odd',
    initial: 'to-do',
    statuses: [
      { id: 'to-do', label: 'To do: "now"', color: '#123456' },
      { id: 'state', label: 'State', color: '#ff0000' },
      { id: 'end', label: 'End', color: '#000000', terminal: true },
    ],
    roles: [{ id: 'r', label: 'R', scope: 'all' }],
    transitions: [
      { from: 'to-do', to: 'state', roles: ['r'], action: 'Go; now' },
      { from: '*', to: 'end', roles: ['r'] },
    ],
  };
  const file = join(work, 'odd.json');
  writeFileSync(file, JSON.stringify(doc));
  const lint = cli('lint', file);
  assert.equal(lint.code, 0, lint.out + lint.err);
  assert.match(lint.out, /with 3 statuses, 2 transitions, 1 role$/m);
  const r = cli('graph', file);
  assert.equal(r.code, 0, r.err);
  const lines = r.out
    .trim()
    .split('\n')
    .map((l) => l.trim());
  assert.deepEqual(lines.slice(0, 5), [
    'stateDiagram-v2',
    'state "To do  \'now\'" as s0',
    'state "State" as s1',
    'state "End" as s2',
    '[*] --> s0',
  ]);
  assert.ok(lines.includes('s0 --> s1 : Go  now (r)'));
  assert.ok(lines.includes('s1 --> s2 : (r)') && lines.includes('s0 --> s2 : (r)'));
  assert.ok(lines.includes('s2 --> [*]'));
  assert.ok(!lines.some((l) => /\b(state|end) -->/.test(l)));
});

test('tsc --noEmit accepts the typed sample against the installed declarations, and catches misuse', () => {
  const good = typecheck(pkg, { 'typed.ts': readFileSync(join(ROOT, 'examples', 'typed.ts'), 'utf8') });
  assert.equal(good.status, 0, good.stdout + good.stderr);
  // a workflow loaded from a document without types: ids are plain strings, other types still hold
  const bad = typecheck(pkg, {
    'bad.ts': `import { createOrderFlow } from 'orderflow';
const flow = await createOrderFlow();
const wf = flow.workflow(JSON.stringify({ id: 'x' }));
wf.check({ status: 'new' }, 42, {}, { role: 'admin' });
const s: number = wf.statuses[0].label;
export {};
`,
  });
  assert.notEqual(bad.status, 0);
  assert.match(bad.stdout, /bad\.ts\(4,\d+\).*not assignable to parameter of type 'string'/);
  assert.match(bad.stdout, /bad\.ts\(5,\d+\).*'string' is not assignable to type 'number'/);
});

test('npm run typecheck (examples/typed.ts against the repository package) passes', () => {
  const r = spawnSync('npm', ['run', '--silent', 'typecheck'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
