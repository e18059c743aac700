// A small client of the reference server's REST API, used by the server tests and the load
// benchmark. Plain fetch; keeps a bearer token or the session cookie + CSRF token.
export class ApiClient {
  constructor(baseUrl) {
    this.baseUrl = baseUrl.replace(/\/$/, '');
    this.token = null;
    this.cookie = null;
    this.csrf = null;
    this.user = null;
  }

  async login(username, password = 'demo') {
    const r = await this.request('POST', '/api/auth/login', { body: { username, password }, auth: 'none' });
    if (r.status !== 200) throw new Error(`login ${username} failed: ${r.status} ${JSON.stringify(r.body)}`);
    this.token = r.body.token;
    this.csrf = r.body.csrf_token;
    this.user = r.body.user;
    const setCookie = r.headers.get('set-cookie');
    this.cookie = setCookie ? setCookie.split(';')[0] : null;
    return this;
  }

  // auth: 'bearer' (default when logged in), 'cookie' (adds X-CSRF-Token unless csrf: false), 'none'.
  async request(method, path, { body, raw, headers = {}, auth, csrf = true } = {}) {
    const h = { ...headers };
    const mode = auth ?? (this.token ? 'bearer' : 'none');
    if (mode === 'bearer' && this.token) h.Authorization = `Bearer ${this.token}`;
    if (mode === 'cookie' && this.cookie) {
      h.Cookie = this.cookie;
      if (csrf && method !== 'GET') h['X-CSRF-Token'] = this.csrf;
    }
    let payload;
    if (raw !== undefined) payload = raw;
    else if (body !== undefined) payload = JSON.stringify(body);
    if (payload !== undefined && !Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['Content-Type'] = 'application/json';
    const res = await fetch(this.baseUrl + path, { method, headers: h, body: payload });
    const text = await res.text();
    let json;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, body: json, text };
  }

  get(path, opts) {
    return this.request('GET', path, opts);
  }
  put(path, body, opts = {}) {
    return this.request('PUT', path, { ...opts, body });
  }
  post(path, body, opts = {}) {
    return this.request('POST', path, { ...opts, body });
  }
}
