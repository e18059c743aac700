// Authentication and shared look-ups (the same for both dialects).
import { commonError } from './http.js';

export class Session {
  constructor(http) {
    this.http = http;
    this.user = null;
  }

  async #call(method, path, body) {
    const r = await this.http.send(method, path, { body });
    if (r.status >= 400 || r.body?.success === false) {
      throw commonError(r.status, r.body?.message ?? r.body?.error?.message);
    }
    return r.body;
  }

  async demoUsers() {
    return (await this.#call('GET', '/api/auth/demo_users')).users ?? [];
  }

  async login(username, password) {
    const b = await this.#call('POST', '/api/auth/login', { username, password });
    this.http.csrfToken = b.csrf_token ?? null;
    this.user = b.user;
    return b.user;
  }

  /** The signed-in user, or null. */
  async me() {
    const r = await this.http.send('GET', '/api/auth/me');
    if (r.status === 401) {
      this.user = null;
      return null;
    }
    if (r.status >= 400) throw commonError(r.status, r.body?.message ?? r.body?.error?.message);
    this.http.csrfToken = r.body.csrf_token ?? null;
    this.user = r.body.user;
    return this.user;
  }

  async logout() {
    await this.#call('POST', '/api/auth/logout');
    this.user = null;
    this.http.csrfToken = null;
  }

  /** Stores with names; given a workflow id, only those whose orders this user may see there. */
  async stores(workflow) {
    const q = workflow ? `?workflow=${encodeURIComponent(workflow)}` : '';
    return (await this.#call('GET', `/api/stores${q}`)).stores ?? [];
  }
}
