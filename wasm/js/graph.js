// Mermaid `stateDiagram-v2` of a loaded workflow, drawn from its validated document: one arrow
// per transition (a `from: "*"` transition is drawn from every non-terminal status that has no
// explicit transition to the same target), labelled with the action and the roles allowed.

const SAFE_ID = /^[A-Za-z_][A-Za-z0-9_]*$/;
// words Mermaid reads as keywords: such status ids are drawn under a generated name
const RESERVED = new Set(['state', 'end', 'note', 'direction', 'class', 'classDef', 'click', 'style',
  'as', 'graph', 'subgraph', 'default', 'fork', 'join', 'choice', 'concurrent', 'left', 'right', 'of']);
const SAFE_COLOR = /^#?[A-Za-z0-9]{1,32}$/;

function quote(text) {
  // Mermaid labels: keep them on one line and free of the characters that end a label.
  return String(text).replace(/[\r\n]+/g, ' ').replace(/"/g, "'").replace(/[:;]/g, ' ');
}

/** Returns the Mermaid source (a string ending in a newline) for a Workflow. */
export function mermaid(workflow) {
  const statuses = workflow.statuses;
  const names = new Map();
  statuses.forEach((s, i) => names.set(s.id, SAFE_ID.test(s.id) && !RESERVED.has(s.id) && !/^s\d+$/.test(s.id) ? s.id : `s${i}`));
  const roleLabel = new Map((workflow.roles || []).map((r) => [r.id, r.id]));
  const lines = ['stateDiagram-v2'];
  for (const s of statuses) lines.push(`    state "${quote(s.label || s.id)}" as ${names.get(s.id)}`);
  if (names.has(workflow.initial)) lines.push(`    [*] --> ${names.get(workflow.initial)}`);

  const edges = [];
  const seen = new Set();
  const add = (from, t) => {
    const key = `${from}\u0000${t.to}`;
    if (seen.has(key) || !names.has(from) || !names.has(t.to)) return;
    seen.add(key);
    edges.push({ from, t });
  };
  const transitions = workflow.transitions || [];
  for (const t of transitions) if (t.from !== '*') add(t.from, t);
  for (const t of transitions) {
    if (t.from !== '*') continue;
    for (const s of statuses) if (!s.terminal && s.id !== t.to) add(s.id, t);
  }
  for (const { from, t } of edges) {
    const roles = (t.roles || []).map((r) => roleLabel.get(r) ?? r).join(', ');
    const parts = [];
    if (t.action) parts.push(quote(t.action));
    if (roles) parts.push(`(${quote(roles)})`);
    const label = parts.length ? ` : ${parts.join(' ')}` : '';
    lines.push(`    ${names.get(from)} --> ${names.get(t.to)}${label}`);
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
