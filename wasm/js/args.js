// Argument checks and conversions of the JS facade: every wrong argument is a TypeError naming
// it, before anything reaches the engine (nothing here decides a workflow question).

/** A workflow that failed to load, or a module-level failure. `code` is stable, `problems` lists each. */
export class OrderflowError extends Error {
  constructor(message, problems, code = 'invalid_workflow') {
    super(message);
    this.name = 'OrderflowError';
    this.code = code;
    this.problems = problems;
  }
}

// The most UTF-16 code units one text argument may have (a note, the JSON of an order, of fields,
// of an actor, a workflow's text). Checked before anything is copied into the wasm heap: a larger
// argument (e.g. '€'.repeat(4e8)) would need more than the heap can give and abort the instance.
// 8 Mi units is far above what the engine accepts (notes at most 1,000,000 characters, workflow
// text 1 MiB) and needs at most 24 MiB as UTF-8.
export const MAX_ARGUMENT_UNITS = 8 * 1024 * 1024;

export function deepFreeze(value) {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze(value[key]);
  }
  return value;
}

// An answer of the engine; a released handle is a programming error in the facade.
export function parseAnswer(text) {
  const answer = JSON.parse(text);
  if (answer && answer.released) throw new Error('orderflow: this workflow was released');
  return answer;
}

export function describe(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return 'a string';
  return `${typeof value === 'object' ? 'an' : 'a'} ${typeof value}`;
}

export function tooLarge(fn, name, units) {
  return new TypeError(`orderflow: ${fn}: ${name} is too large (${units} UTF-16 units as text, at most ${MAX_ARGUMENT_UNITS})`);
}

export const wellFormed =
  typeof String.prototype.toWellFormed === 'function'
    ? (s) => s.toWellFormed()
    : (s) => s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
export const isWellFormed =
  typeof String.prototype.isWellFormed === 'function'
    ? (s) => s.isWellFormed()
    : (s) => !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);

// Rebuilds parsed JSON with lone surrogates (which UTF-8 cannot carry) replaced by U+FFFD.
function repairStrings(value) {
  if (typeof value === 'string') return wellFormed(value);
  if (Array.isArray(value)) return value.map(repairStrings);
  if (value !== null && typeof value === 'object') {
    const out = Object.create(null);
    for (const key of Object.keys(value)) {
      Object.defineProperty(out, wellFormed(key), {
        value: repairStrings(value[key]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return value;
}

const LONE_SURROGATE_ESCAPE = /\\ud[89a-f][0-9a-f]{2}/;

/**
 * JSON text for the engine, as JSON.stringify writes it. Never throws anything but a TypeError
 * naming the argument. Lone surrogates stay escapes (`\ud800`): the engine keeps each one distinct
 * (docs/workflow-format.md), unless `repair` (field values: text to store) replaces them by U+FFFD.
 */
export function toJson(value, fn, what, repair = false) {
  if (value === undefined) return 'null';
  let text;
  try {
    text = JSON.stringify(value);
  } catch (e) {
    throw new TypeError(`orderflow: ${what} cannot be converted to JSON (${e && e.message})`, { cause: e });
  }
  if (text === undefined) return 'null'; // a function or a symbol
  if (text.length > MAX_ARGUMENT_UNITS) throw tooLarge(fn, what, text.length);
  if (repair && text.includes('\\ud') && LONE_SURROGATE_ESCAPE.test(text)) text = JSON.stringify(repairStrings(JSON.parse(text)));
  return text;
}

export function requireString(value, fn, name) {
  if (typeof value !== 'string') {
    throw new TypeError(`orderflow: ${fn}: ${name} must be a string, got ${describe(value)}`);
  }
  if (value.length > MAX_ARGUMENT_UNITS) throw tooLarge(fn, name, value.length);
  return isWellFormed(value) ? value : wellFormed(value);
}

export function fieldsJson(fields, fn) {
  if (fields === undefined || fields === null) return '{}';
  // a field value alone over the bound (a pasted file as a note): said before JSON.stringify copies it
  if (typeof fields === 'object' && !Array.isArray(fields)) {
    for (const key of Object.keys(fields)) {
      const v = fields[key];
      if (typeof v === 'string' && v.length > MAX_ARGUMENT_UNITS) throw tooLarge(fn, `fields.${key}`, v.length);
    }
  }
  return toJson(fields, fn, 'fields', true);
}

// The actor is required (a missing one is a programming error, not a refusal to show a user).
export function actorJson(actor, fn) {
  if (actor === undefined) throw new TypeError(`orderflow: ${fn}: actor is required ({role, stores}), got undefined`);
  return toJson(actor, fn, 'actor');
}
