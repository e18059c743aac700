// Errors as HTTP answers, in each dialect's body style (docs/rest-api.md): the CMS dialect answers
// {error: {code, message}}, the delivery dialect {success: false, message}, the shared routes both.
// No workflow knowledge lives here.
import { storageFailure } from '../store/index.js';

// An error that becomes an HTTP answer. `body` is the exact JSON body to send.
export class HttpError extends Error {
  constructor(status, body, headers = {}) {
    super(body?.error?.message ?? body?.message ?? `HTTP ${status}`);
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

// Which dialect (error body style) a path speaks.
export function dialectOf(path) {
  if (path.startsWith('/api/v1/')) return 'cms';
  if (path === '/api/orders' || path.startsWith('/api/orders/') || path === '/api/workflow') return 'delivery';
  return 'generic';
}

export function errorBody(dialect, code, message, extra = {}) {
  if (dialect === 'cms') return { error: { code, message, ...(extra.error ?? {}) }, ...(extra.body ?? {}) };
  if (dialect === 'delivery') return { success: false, message, ...(extra.body ?? {}) };
  return { success: false, message, error: { code, message } };
}

export const fail = (dialect, status, code, message, extra, headers) =>
  new HttpError(status, errorBody(dialect, code, message, extra), headers);

export const badRequest = (ctx, message, extra) => fail(ctx.dialect, 400, 'bad_request', message, extra);

// What an unexpected exception is answered with: the store's refusal for a lock or a full disk
// (503/507, see storageFailure), else 500 `internal` with `internalMessage`, logged unless it is
// the test hook's injected failure. Either way nothing was changed.
export function failureOf(store, err, internalMessage) {
  const sf = storageFailure(store, err);
  if (sf) return sf;
  if (!String(err?.message).startsWith('injected failure')) console.error('orderflow: internal error', err);
  return { status: 500, code: 'internal', message: internalMessage, headers: {} };
}
