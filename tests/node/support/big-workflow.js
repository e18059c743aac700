// A large valid workflow document for memory tests: many statuses with long labels, many roles,
// explicit and "*" transitions each open to many roles (wildcards expand to one edge per status).
// `variant` changes the id and the labels, so each document is distinct.
export function bigWorkflow(variant = 0, { statuses = 256, roles = 64, explicit = 600, wildcards = 16 } = {}) {
  const pad = (s) => `${s} ${'x'.repeat(150)}`;
  const doc = {
    id: `big_${variant}`,
    name: `Big workflow ${variant}`,
    initial: 's0',
    statuses: Array.from({ length: statuses }, (_, i) => ({
      id: `s${i}`,
      label: pad(`Status ${i} v${variant}`),
      color: '#336699',
      terminal: i === statuses - 1,
    })),
    roles: Array.from({ length: roles }, (_, i) => ({ id: `r${i}`, label: pad(`Role ${i}`), scope: i % 2 ? 'assigned' : 'all' })),
    fields: [{ id: 'notes', label: 'Notes', type: 'text', maxLength: 2000 }],
    transitions: [],
  };
  const roleIds = doc.roles.map((r) => r.id);
  const seen = new Set();
  // a chain, so every status is reachable from the initial one
  for (let i = 0; i + 1 < statuses; i++) {
    doc.transitions.push({ from: `s${i}`, to: `s${i + 1}`, roles: roleIds, optional: ['notes'], action: `Go ${i}` });
    seen.add(`${i}>${i + 1}`);
  }
  for (let k = 0; doc.transitions.length < explicit + statuses - 1 && k < 100000; k++) {
    const from = (k * 7) % (statuses - 1);
    const to = (k * 13 + 5) % statuses;
    if (from === to || seen.has(`${from}>${to}`)) continue;
    seen.add(`${from}>${to}`);
    doc.transitions.push({ from: `s${from}`, to: `s${to}`, roles: roleIds.slice(0, 32), action: `Move ${k}` });
  }
  for (let w = 0; w < wildcards; w++) {
    doc.transitions.push({ from: '*', to: `s${statuses - 1 - w}`, roles: roleIds, optional: ['notes'], action: `Wild ${w}` });
  }
  return doc;
}
