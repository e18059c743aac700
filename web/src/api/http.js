// Shared HTTP plumbing for the REST adapters: auth (a bearer token, a function giving one, or
// headers; or the reference server's session cookie + X-CSRF-Token), Idempotency-Key when
// given, and every failure turned into one ApiError shape so the elements never look at a
// dialect's error body. Kept by hand rather than a fetch wrapper library: it is one function,
// and what matters here (never passing markup on, a plain sentence per HTTP status) is ours.
// Our own sentences come from the elements' string table (English here; the elements show the
// page's language through ApiError.messageKey).
import { message as english } from '../i18n/index.js';

export class ApiError extends Error {
  /**
   * @param {object} o
   * @param {'network'|'conflict'|'forbidden'|'refused'|'invalid_status'|'not_found'|'bad_request'|
   *   'unauthorized'|'csrf'|'rate_limited'|'server'} o.kind
   * @param {string} [o.messageKey]  when the sentence is ours, not the server's: its key in the
   *   elements' string table (web/src/i18n) and `messageParams`; `message` is then the English text
   */
  constructor({
    kind,
    status = 0,
    message,
    errors = [],
    order = null,
    changedBy = null,
    changedAt = null,
    retryAfter = null,
    body = null,
    messageKey,
    messageParams,
  }) {
    super(message ?? (messageKey ? english('en', messageKey, messageParams) : undefined));
    if (messageKey) {
      this.messageKey = messageKey;
      this.messageParams = messageParams ?? {};
    }
    this.name = 'ApiError';
    this.kind = kind;
    this.status = status;
    this.errors = errors;
    this.order = order;
    this.changedBy = changedBy;
    this.changedAt = changedAt;
    this.retryAfter = retryAfter;
    this.body = body;
  }
}

export function newIdempotencyKey() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

const REASONS = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** One plain sentence for an answer whose body is not JSON (an HTML error page, a proxy's text). */
export function plainStatusSentence(status) {
  return english('en', 'plainStatus', plainStatusParams(status));
}
const plainStatusParams = (status) => ({ status, reason: REASONS[status] ?? '' });

export class Http {
  /**
   * @param {object} o
   * @param {string} [o.baseUrl]
   * @param {typeof fetch} [o.fetchImpl]
   * @param {string|(() => string|null|Promise<string|null>)} [o.token]  sent as `Authorization: Bearer …`
   * @param {Record<string,string>|(() => Record<string,string>|Promise<Record<string,string>>)} [o.headers]
   * @param {RequestCredentials} [o.credentials]  default 'same-origin'
   * @param {boolean} [o.reference]  the reference server: X-CSRF-Token and X-Orderflow-Source on mutations
   */
  constructor({ baseUrl = '', fetchImpl, token, headers, credentials = 'same-origin', reference = false } = {}) {
    this.baseUrl = baseUrl.replace(/\/$/, '');
    this.csrfToken = null;
    this.fetch = fetchImpl ?? ((...a) => globalThis.fetch(...a));
    this.token = token;
    this.headers = headers;
    this.credentials = credentials;
    this.reference = reference;
  }

  url(path, query) {
    let u = `${this.baseUrl}${path}`;
    if (query) {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) {
        if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
      }
      const s = q.toString();
      if (s) u += `?${s}`;
    }
    return u;
  }

  async #authHeaders() {
    const out = {};
    const extra = typeof this.headers === 'function' ? await this.headers() : this.headers;
    if (extra) Object.assign(out, extra);
    const token = typeof this.token === 'function' ? await this.token() : this.token;
    if (token) out.Authorization = `Bearer ${token}`;
    return out;
  }

  /**
   * Sends one request. Resolves to {status, body, json, headers}: `json` is false when a body came
   * back that is not JSON (then `body` is null: markup is never passed on). Rejects with
   * ApiError(kind 'network') when nothing came back. HTTP error statuses are returned, not
   * thrown: each dialect reads its own.
   */
  async send(method, path, { query, body, idempotencyKey, signal } = {}) {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (this.reference && method !== 'GET') {
      if (this.csrfToken) headers['X-CSRF-Token'] = this.csrfToken;
      headers['X-Orderflow-Source'] = 'ui';
    }
    if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;
    let res;
    try {
      Object.assign(headers, await this.#authHeaders());
      res = await this.fetch(this.url(path, query), {
        method,
        headers,
        credentials: this.credentials,
        signal,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      if (e?.name === 'AbortError') throw e;
      throw new ApiError({ kind: 'network', messageKey: 'unreachable' });
    }
    let parsed = null;
    let json = true;
    const text = await res.text().catch(() => '');
    if (text.trim()) {
      try {
        parsed = JSON.parse(text);
      } catch {
        json = false;
      }
    }
    return { status: res.status, body: parsed, json, headers: res.headers };
  }
}

// Errors common to both dialects, from an HTTP status; `message` is the server's own text.
export function commonError(status, message, extra = {}) {
  const kind =
    status === 401
      ? 'unauthorized'
      : status === 403
        ? 'forbidden'
        : status === 404
          ? 'not_found'
          : status === 409
            ? 'conflict'
            : status === 422
              ? 'refused'
              : status === 429
                ? 'rate_limited'
                : status === 400 || status === 413
                  ? 'bad_request'
                  : 'server';
  if (typeof message === 'string' && message.trim()) return new ApiError({ kind, status, message, ...extra });
  return new ApiError({ kind, status, messageKey: 'plainStatus', messageParams: plainStatusParams(status), ...extra });
}
