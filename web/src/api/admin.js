// Admin endpoints of the reference server (issue 13): notifications, the audit trail of refused
// changes, and bulk jobs. Same Http plumbing (cookie + CSRF) as the dialect adapters.
import { ApiError } from './http.js';

export class AdminApi {
  constructor(http) {
    this.http = http;
  }

  async #get(path, query) {
    const r = await this.http.send('GET', path, { query });
    return this.#ok(r);
  }

  #ok(r) {
    if (r.status >= 200 && r.status < 300) return r.body;
    const kind =
      r.status === 403
        ? 'forbidden'
        : r.status === 401
          ? 'unauthorized'
          : r.status === 404
            ? 'not_found'
            : r.status === 409
              ? 'conflict'
              : r.status >= 500
                ? 'server'
                : 'bad_request';
    throw new ApiError({ kind, status: r.status, message: r.body?.error?.message ?? r.body?.message ?? `HTTP ${r.status}`, body: r.body });
  }

  /** {state?, workflow?, page?, per_page?} → {notifications, page, per_page, total, transports} */
  notifications(query = {}) {
    return this.#get('/api/v1/notifications', query);
  }

  async retryNotification(id) {
    return this.#ok(await this.http.send('POST', `/api/v1/notifications/${encodeURIComponent(id)}/retry`));
  }

  /** {username?, order_id?, code?, since?, until?, before_id?, limit?} → {entries, next_before_id} */
  audit(query = {}) {
    return this.#get('/api/v1/audit', query);
  }

  /** → {job: {id, state, total, done, succeeded, failed, results?}} */
  job(id, { results = true } = {}) {
    return this.#get(`/api/v1/jobs/${encodeURIComponent(id)}`, results ? undefined : { results: 0 });
  }
}
