// Mermaid `stateDiagram-v2` of a loaded workflow: one arrow per edge the engine applies
// (`workflow.edges`, a `from: "*"` transition already expanded), labelled with the action and the
// roles allowed.

const SAFE_ID = /^[A-Za-z_][A-Za-z0-9_]*$/;
// words Mermaid reads as keywords: such status ids are drawn under a generated name
const RESERVED = new Set([
  'state',
  'end',
  'note',
  'direction',
  'class',
  'classDef',
  'click',
  'style',
  'as',
  'graph',
  'subgraph',
  'default',
  'fork',
  'join',
  'choice',
  'concurrent',
  'left',
  'right',
  'of',
]);
const SAFE_COLOR = /^#?[A-Za-z0-9]{1,32}$/;

function quote(text) {
  // Mermaid labels: keep them on one line and free of the characters that end a label.
  return String(text)
    .replace(/[\r\n]+/g, ' ')
    .replace(/"/g, "'")
    .replace(/[:;]/g, ' ');
}

/** Returns the Mermaid source (a string ending in a newline) for a Workflow. */
export function mermaid(workflow) {
  const statuses = workflow.statuses;
  const names = new Map();
  statuses.forEach((s, i) => names.set(s.id, SAFE_ID.test(s.id) && !RESERVED.has(s.id) && !/^s\d+$/.test(s.id) ? s.id : `s${i}`));
  const lines = ['stateDiagram-v2'];
  for (const s of statuses) lines.push(`    state "${quote(s.label || s.id)}" as ${names.get(s.id)}`);
  if (names.has(workflow.initial)) lines.push(`    [*] --> ${names.get(workflow.initial)}`);

  for (const e of workflow.edges) {
    const roles = e.roles.join(', ');
    const parts = [];
    if (e.action) parts.push(quote(e.action));
    if (roles) parts.push(`(${quote(roles)})`);
    const label = parts.length ? ` : ${parts.join(' ')}` : '';
    lines.push(`    ${names.get(e.from)} --> ${names.get(e.to)}${label}`);
  }
  for (const s of statuses) if (s.terminal) lines.push(`    ${names.get(s.id)} --> [*]`);

  statuses.forEach((s, i) => {
    if (s.color && SAFE_COLOR.test(s.color)) {
      lines.push(`    classDef c${i} fill:${s.color},color:#fff`);
      lines.push(`    class ${names.get(s.id)} c${i}`);
    }
  });
  return `${lines.join('\n')}\n`;
}
