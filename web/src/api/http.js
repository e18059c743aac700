// Shared HTTP plumbing for the REST adapters: same-origin session cookie + X-CSRF-Token on
// mutations, Idempotency-Key when given, and every failure turned into one ApiError shape so
// the elements never look at a dialect's error body.

export class ApiError extends Error {
  /**
   * @param {object} o
   * @param {'network'|'conflict'|'forbidden'|'refused'|'invalid_status'|'not_found'|'bad_request'|
   *   'unauthorized'|'csrf'|'rate_limited'|'server'} o.kind
   */
  constructor({ kind, status = 0, message, errors = [], order = null, changedBy = null,
    changedAt = null, retryAfter = null, body = null }) {
    super(message);
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

export class Http {
  constructor({ baseUrl = '', fetchImpl } = {}) {
    this.baseUrl = baseUrl.replace(/\/$/, '');
    this.csrfToken = null;
    this.fetch = fetchImpl ?? ((...a) => globalThis.fetch(...a));
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

  /**
   * Sends one request. Resolves to {status, body}; rejects with ApiError(kind 'network') when
   * nothing came back. HTTP error statuses are returned, not thrown: each dialect reads its own.
   */
  async send(method, path, { query, body, idempotencyKey, signal } = {}) {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (method !== 'GET') {
      if (this.csrfToken) headers['X-CSRF-Token'] = this.csrfToken;
      headers['X-Orderflow-Source'] = 'ui';
    }
    if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;
    let res;
    try {
      res = await this.fetch(this.url(path, query), {
        method, headers, credentials: 'same-origin', signal,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      if (e?.name === 'AbortError') throw e;
      throw new ApiError({ kind: 'network', message: 'The server could not be reached. Check the connection and try again.' });
    }
    let parsed = null;
    const text = await res.text().catch(() => '');
    if (text) {
      try { parsed = JSON.parse(text); } catch { parsed = { message: text.slice(0, 500) }; }
    }
    return { status: res.status, body: parsed, headers: res.headers };
  }
}

// Errors common to both dialects, from an HTTP status; `message` is the server's own text.
export function commonError(status, message, extra = {}) {
  const kind = status === 401 ? 'unauthorized'
    : status === 403 ? 'forbidden'
      : status === 404 ? 'not_found'
        : status === 409 ? 'conflict'
          : status === 422 ? 'refused'
            : status === 429 ? 'rate_limited'
              : status === 400 || status === 413 ? 'bad_request'
                : 'server';
  return new ApiError({ kind, status, message: message || `Request failed (HTTP ${status})`, ...extra });
}
