// One interface, one adapter per API dialect, chosen by configuration.
import { Http } from './http.js';
import { Session } from './session.js';
import { CmsApi } from './cms.js';
import { DeliveryApi } from './delivery.js';

export { ApiError, Http, newIdempotencyKey } from './http.js';
export { Session } from './session.js';
export { CmsApi } from './cms.js';
export { DeliveryApi } from './delivery.js';

export const DIALECTS = { cms: CmsApi, delivery: DeliveryApi };

/** createClient({baseUrl}) → {http, session, api(dialect)} sharing one CSRF token. */
export function createClient({ baseUrl = '' } = {}) {
  const http = new Http({ baseUrl });
  const session = new Session(http);
  const cache = new Map();
  return {
    http,
    session,
    dialects: Object.keys(DIALECTS),
    api(dialect) {
      const Api = DIALECTS[dialect];
      if (!Api) throw new Error(`Unknown API dialect "${dialect}"`);
      if (!cache.has(dialect)) cache.set(dialect, new Api(http));
      return cache.get(dialect);
    },
    eventsUrl() { return http.url('/api/v1/events'); },
  };
}
