// One adapter contract, any API (types/adapter.d.ts): createAdapter() for the built-in dialects,
// withFallbacks() for what an API lacks, createClient() for the reference server's session.
import { Http } from './http.js';
import { Session } from './session.js';
import { createAdapter, DIALECTS } from './rest.js';

export { ApiError, Http, newIdempotencyKey, plainStatusSentence } from './http.js';
export { Session } from './session.js';
export { createAdapter, normalizeBulk, DIALECTS } from './rest.js';
export { withFallbacks } from './fallbacks.js';

/**
 * The reference server (web/server): cookie session + X-CSRF-Token, every endpoint of both
 * dialects plus the event stream. createClient({baseUrl}) → {http, session, api(dialect)}
 * sharing one CSRF token; api() gives the same adapters createAdapter() makes for any API.
 */
export function createClient({ baseUrl = '', fetch: fetchImpl } = {}) {
  const http = new Http({ baseUrl, fetchImpl, reference: true });
  const session = new Session(http);
  const cache = new Map();
  return {
    http,
    session,
    dialects: Object.keys(DIALECTS),
    api(dialect) {
      if (!cache.has(dialect)) cache.set(dialect, createAdapter({ dialect, http, reference: true }));
      return cache.get(dialect);
    },
    eventsUrl() {
      return http.url('/api/v1/events');
    },
  };
}
