// JSON Schemas shared by the routes: what the API's bodies hold. They validate requests (Fastify)
// and describe answers in the OpenAPI document (GET /api/openapi.json); answers are not filtered
// through them (app.js: the serializer is JSON.stringify).

export const MAX_SAFE = Number.MAX_SAFE_INTEGER;
export const idParam = {
  type: 'object',
  properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,15}$', description: 'a positive integer' } },
  required: ['id'],
};
export const positiveText = { type: 'string', pattern: '^[1-9][0-9]{0,15}$' };

// A positive integer in a path, or its 400 (the raw segment echoed, at most 40 characters).
export const idMessage = (what) => (ctx) => `${what} must be a positive integer, got "${String(ctx.params.id).slice(0, 40)}"`;

export const engineError = {
  type: 'object',
  additionalProperties: true,
  properties: { code: { type: 'string' }, message: { type: 'string' }, field: { type: 'string' } },
};

export const order = {
  type: 'object',
  additionalProperties: true,
  properties: {
    id: { type: 'integer' },
    workflow: { type: 'string' },
    status: { type: 'string' },
    stored_status: { type: 'string', description: 'the stored (legacy) value, when it differs from status' },
    store_id: { type: 'string' },
    lock_version: { type: 'integer' },
    payment_status: { type: ['string', 'null'] },
    customer_name: { type: 'string' },
    total: { type: 'number' },
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: { sku: { type: 'string' }, name: { type: 'string' }, quantity: { type: 'integer' }, in_stock: { type: 'boolean' } },
      },
    },
    tracking_number: { type: ['string', 'null'] },
    created_at: { type: 'string' },
    updated_at: { type: 'string' },
    updated_by: { type: ['string', 'null'] },
    updated_by_name: { type: ['string', 'null'] },
  },
};

export const historyEntry = {
  type: 'object',
  additionalProperties: true,
  properties: {
    id: { type: 'integer' },
    order_id: { type: 'integer' },
    lock_version: { type: 'integer' },
    from_status: { type: ['string', 'null'] },
    to_status: { type: 'string' },
    actor: { type: 'string' },
    actor_name: { type: ['string', 'null'] },
    at: { type: 'string' },
    notes: { type: ['string', 'null'] },
    fields: { type: 'object', additionalProperties: true },
    source: { type: 'string' },
    notification: { type: ['object', 'null'], properties: { id: { type: 'integer' }, state: { type: 'string' } } },
    customer_notified: { type: 'boolean' },
  },
};

export const option = { type: 'object', additionalProperties: true, description: "an engine option (the module's `allowed`)" };

export const cmsError = {
  type: 'object',
  additionalProperties: true,
  properties: {
    error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } },
    errors: { type: 'array', items: engineError },
  },
};
export const deliveryError = {
  type: 'object',
  additionalProperties: true,
  properties: { success: { const: false }, message: { type: 'string' } },
};
export const sharedError = {
  type: 'object',
  additionalProperties: true,
  properties: { success: { const: false }, message: { type: 'string' }, error: { type: 'object' } },
};

// The request body of a status change (PUT of either dialect, the POS webhook, bulk), and the
// sentences of its 400s.
export const changeProps = {
  status: { type: 'string', minLength: 1, maxLength: 100, description: 'the target status id' },
  notes: { type: ['string', 'null'] },
  tracking_number: { type: ['string', 'null'] },
  fields: { type: ['object', 'null'], additionalProperties: true, description: 'values of the workflow fields the target status requires' },
  lock_version: { type: ['integer', 'null'], minimum: 0, maximum: MAX_SAFE, description: "the order's lock_version as you last read it" },
};
export const changeMessages = {
  status: { default: 'status is required and must be a non-empty string', maxLength: 'status is too long (at most 100 characters)' },
  notes: 'notes must be a string',
  tracking_number: 'tracking_number must be a string',
  fields: 'fields must be a JSON object',
  lock_version: {
    default: 'lock_version must be a non-negative integer',
    required: "lock_version is required (the order's lock_version as you last read it)",
  },
};

export function changeBody(keys, required = ['status']) {
  return {
    type: 'object',
    additionalProperties: false,
    required,
    properties: Object.fromEntries(keys.map((k) => [k, changeProps[k]])),
  };
}

// order_ids of a bulk update; the sentences of its 400s.
export const orderIds = { type: 'array', minItems: 1, items: { type: 'integer', minimum: 1, maximum: MAX_SAFE } };
export const orderIdsMessage = (ctx, ids) => {
  if (!Array.isArray(ids) || ids.length === 0) return 'order_ids must be a non-empty array of order ids';
  const bad = ids.filter((x) => typeof x !== 'number' || !Number.isSafeInteger(x) || x < 1);
  return `order_ids must be positive integers (bad: ${bad
    .slice(0, 5)
    .map((x) => (typeof x === 'number' ? String(x) : String(JSON.stringify(x)).slice(0, 40)))
    .join(', ')})`;
};
