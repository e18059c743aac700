// Fastify validates every route's params, query and body against its JSON Schema; this turns the
// first failure into the sentence the server has always answered (pinned by
// tests/node/hostile.test.js and server-*.test.js). Each route gives its sentences per property
// (`messages: {body: {status: {default, maxLength}, ...}, params: {...}, querystring: {...}}`; a
// function gets (ctx, value, ajvError)). Unknown body keys are reported first (the first five, cut short), with
// the allowed list read from the schema.

// Bounded however many and however long the keys are (one 60 KB key was echoed whole, twice in a
// shared-route body): at most MAX_LISTED keys, each cut to KEY_EXCERPT characters.
const MAX_LISTED = 5;
const KEY_EXCERPT = 40;
export function unknownKeysMessage(allowed, unknown) {
  const shown = unknown
    .slice(0, MAX_LISTED)
    .map((k) =>
      k.length > KEY_EXCERPT ? `${JSON.stringify(k.slice(0, KEY_EXCERPT)).slice(0, -1)}…" (${k.length} characters)` : JSON.stringify(k),
    );
  const more = unknown.length > MAX_LISTED ? ` and ${unknown.length - MAX_LISTED} more` : '';
  return `Unknown field${unknown.length > 1 ? 's' : ''} in request body: ${shown.join(', ')}${more} (allowed: ${allowed.join(', ')})`;
}

export function validationMessage(err, request) {
  const where = err.validationContext;
  const e = err.validation[0];
  const schema = request.routeOptions.schema?.[where];
  const data =
    where === 'body' ? request.body : where === 'params' ? request.ctx.params : where === 'querystring' ? request.query : undefined;
  if (where === 'body' && schema?.additionalProperties === false && data && typeof data === 'object' && !Array.isArray(data)) {
    const allowed = Object.keys(schema.properties ?? {});
    const unknown = Object.keys(data).filter((k) => !allowed.includes(k));
    if (unknown.length) return { message: unknownKeysMessage(allowed, unknown) };
  }
  const prop =
    e.keyword === 'required'
      ? e.params.missingProperty
      : e.keyword === 'additionalProperties'
        ? e.params.additionalProperty
        : e.instancePath.split('/')[1];
  const m = request.routeOptions.config.messages?.[where]?.[prop];
  const value = data && typeof data === 'object' ? data[prop] : undefined;
  if (typeof m === 'function') return { message: m(request.ctx, value, e) };
  if (typeof m === 'string') return { message: m };
  if (m && typeof m === 'object') {
    const x = m[e.keyword] ?? m.default;
    if (x !== undefined) return { message: typeof x === 'function' ? x(request.ctx, value, e) : x };
  }
  if (where === 'body' && e.instancePath === '' && e.keyword === 'type') return { message: 'Request body must be a JSON object' };
  return { message: `${where === 'querystring' ? 'query parameter' : where}${prop ? ` ${prop}` : ''} ${e.message}`.slice(0, 300) };
}
