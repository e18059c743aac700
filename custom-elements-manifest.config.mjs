// @custom-elements-manifest/analyzer settings for custom-elements.json (scripts/build-elements.js).
// The plugin adds the events an element fires through its private `#fire(name, detail)` helper,
// which the analyzer does not follow (it sees only `dispatchEvent(new CustomEvent(...))`).
function privateFireEvents() {
  return {
    name: 'orderflow-private-fire-events',
    analyzePhase({ ts, node, moduleDoc }) {
      if (node.kind !== ts.SyntaxKind.ClassDeclaration || !node.name) return;
      const decl = moduleDoc.declarations?.find((d) => d.name === node.name.getText());
      if (!decl) return;
      // `dispatchEvent(new CustomEvent(name, …))` inside #fire reads as an event called "name"
      if (decl.events) decl.events = decl.events.filter((e) => e.name?.includes('-'));
      // Lit state (`{ state: true }`, named with a leading underscore) is not an attribute of the element
      if (decl.attributes) decl.attributes = decl.attributes.filter((x) => !x.name.startsWith('_'));
      if (decl.members) decl.members = decl.members.filter((x) => !x.name.startsWith('_'));
      const names = new Set((decl.events ?? []).map((e) => e.name));
      for (const m of node.getText().matchAll(/#fire\('([a-z-]+)'/g)) {
        if (names.has(m[1])) continue;
        names.add(m[1]);
        (decl.events ??= []).push({ name: m[1], type: { text: 'CustomEvent' } });
      }
    },
  };
}

export default {
  globs: ['web/src/elements/of-*.js'],
  // the admin views read the reference server's own endpoints (notifications, audit): the demo
  // page's, not part of the elements a CMS embeds
  exclude: ['web/src/elements/of-notifications-view.js', 'web/src/elements/of-audit-view.js'],
  litelement: true,
  packagejson: false, // package.json names custom-elements.json itself; the build writes it elsewhere first
  plugins: [privateFireEvents()],
};
