// The demo page: sign in as a demo user, pick the workflow, and work with its orders.
// Everything the page shows about statuses and rules comes from the server's workflow document
// loaded into the orderflow module (the same engine the server runs).
import { LitElement, html, css, nothing } from 'lit';
// The same package entry and adapters a CMS uses (the Vite config maps `orderflow/elements` to
// web/src/elements.js): createClient() is the reference server's cookie + CSRF session.
import { createClient, loadFlow, Rules } from 'orderflow/elements';
import { Strings } from './i18n/index.js';
import { base } from './elements/shared-styles.js';
// the page can be switched to German (<html lang="de">), so it loads that language
import './locales/de.js';
// issue 13: admin views (notifications, audit trail), shown when the server lets this user read them
import { AdminApi } from './api/admin.js';
import './elements/of-notifications-view.js';
import './elements/of-audit-view.js';

const params = new URLSearchParams(location.search);

class OfDemo extends LitElement {
  static properties = {
    user: { state: true },
    users: { state: true },
    workflowId: { state: true },
    rules: { state: true },
    api: { state: true },
    stores: { state: true },
    error: { state: true },
    busy: { state: true },
    docs: { state: true },
    adminView: { state: true },
    canAdmin: { state: true },
  };

  static styles = [
    base,
    css`
      :host {
        display: block;
        max-width: 1280px;
        margin: 0 auto;
        padding: 12px 16px 40px;
      }
      header {
        display: flex;
        align-items: center;
        gap: 14px;
        flex-wrap: wrap;
        border-bottom: 1px solid #e5e7eb;
        padding-bottom: 10px;
        margin-bottom: 12px;
      }
      h1 {
        font-size: 20px;
        margin: 0;
      }
      header .spacer {
        flex: 1;
      }
      .signin {
        max-width: 380px;
        border: 1px solid #d1d5db;
        border-radius: 10px;
        padding: 16px;
        background: #fff;
      }
      .signin select,
      .signin input {
        width: 100%;
        box-sizing: border-box;
      }
      .signin button {
        margin-top: 12px;
      }
      .inline label {
        display: inline;
        margin: 0 4px 0 0;
      }
      .who {
        color: #374151;
      }
    `,
  ];

  constructor() {
    super();
    this.client = createClient({ baseUrl: '' });
    this.flow = loadFlow();
    this.user = null;
    this.users = [];
    this.rules = null;
    this.api = null;
    this.stores = [];
    this.error = '';
    this.busy = true;
    this.docs = {};
    this.workflowId = params.get('workflow') || '';
    this.perPage = Number(params.get('per_page')) || 50;
    this.initialFilters = { status: params.get('status') || '', store_id: params.get('store_id') || '' };
    this.admin = new AdminApi(this.client.http);
    this.adminView = '';
    this.canAdmin = false;
    this.i18n = new Strings(this); // the admin views' buttons (the rest of this demo page is English only)
    this.#boot();
  }

  async #boot() {
    try {
      const user = await this.client.session.me();
      if (user) await this.#enter(user);
      else await this.#showSignIn();
    } catch (e) {
      this.error = e.message; // a plain sentence (the adapters' ApiError)
    } finally {
      this.busy = false;
    }
  }

  async #showSignIn() {
    this.users = await this.client.session.demoUsers();
  }

  async #signIn(e) {
    e.preventDefault();
    const form = e.target;
    // the form is re-created after a failed try: keep the user picked, or a retry signs in as the first one
    this.picked = form.username.value;
    this.busy = true;
    this.error = '';
    try {
      const user = await this.client.session.login(form.username.value, form.password.value);
      await this.#enter(user);
    } catch (err) {
      this.error = err.message;
    } finally {
      this.busy = false;
    }
  }

  #workflows(user) {
    const all = this.client.dialects;
    const mine = all.filter((w) => user?.roles?.[w]);
    return mine.length ? mine : all;
  }

  async #enter(user) {
    const wfs = this.#workflows(user);
    if (!wfs.includes(this.workflowId)) this.workflowId = wfs[0];
    // the workflow document first (small), then the first page of orders while the engine loads;
    // stores and the other workflows' names arrive in the background
    const ready = this.#loadWorkflow(user, this.workflowId);
    const api = this.client.api(this.workflowId);
    const query = { ...this.initialFilters, page: 1, per_page: this.perPage };
    const promise = api.listOrders(query);
    promise.catch(() => {}); // the workspace reports it
    this.prefetched = { api, query, promise };
    this.#loadStores(this.workflowId);
    for (const w of wfs) {
      if (w === this.workflowId || this.docs[w]) continue;
      this.client
        .api(w)
        .workflow()
        .then((doc) => {
          this.docs = { ...this.docs, [w]: doc };
        })
        .catch(() => {});
    }
    // The server decides who may read the admin views: ask it once (a 403 hides the buttons).
    this.admin.notifications({ per_page: 1 }).then(
      () => {
        this.canAdmin = true;
      },
      () => {
        this.canAdmin = false;
      },
    );
    await ready;
    this.user = user;
  }

  async #loadWorkflow(user, id) {
    const api = this.client.api(id);
    const [flow, doc] = await Promise.all([this.flow, this.docs[id] ?? api.workflow()]);
    const wf = flow.workflow(doc);
    this.docs = { ...this.docs, [id]: doc };
    const actor = { role: user.roles?.[id] ?? null, stores: user.stores ?? [] };
    this.rules = new Rules(wf, actor);
    this.api = api;
  }

  #takePrefetch() {
    const p = this.prefetched;
    this.prefetched = null;
    return p;
  }

  async #pickWorkflow(id) {
    this.workflowId = id;
    this.initialFilters = {};
    const u = new URL(location.href);
    u.searchParams.set('workflow', id);
    history.replaceState(null, '', u);
    this.busy = true;
    this.#loadStores(id);
    try {
      await this.#loadWorkflow(this.user, id);
    } catch (e) {
      this.error = e.message;
    } finally {
      this.busy = false;
    }
  }

  // The store filter offers only stores this user may see in the workflow (the server asks the role's scope).
  #loadStores(id) {
    this.client.session
      .stores(id)
      .then((stores) => {
        if (this.workflowId === id) this.stores = stores;
      })
      .catch(() => {});
  }

  async #signOut() {
    try {
      await this.client.session.logout();
    } catch {
      /* the session is gone either way */
    }
    this.user = null;
    this.rules = null;
    this.api = null;
    this.canAdmin = false;
    this.adminView = '';
    await this.#showSignIn();
  }

  render() {
    const u = this.user;
    return html`
      <header>
        <h1>orderflow</h1>
        ${
          u
            ? html` <span class="who"
                  >Signed in as <strong>${u.display_name ?? u.username}</strong> (${this.user.roles?.[this.workflowId] ?? 'no role'})</span
                >
                <span class="inline"
                  ><label for="wf">Workflow</label>
                  <select id="wf" @change=${(e) => this.#pickWorkflow(e.target.value)}>
                    ${this.#workflows(u).map((w) => html`<option value=${w} ?selected=${w === this.workflowId}>${this.docs[w]?.name ?? w}</option>`)}
                  </select></span
                >
                <span class="spacer"></span>
                ${
                  this.canAdmin
                    ? html`<button
                          aria-pressed=${this.adminView === 'notifications'}
                          @click=${() => {
                            this.adminView = this.adminView === 'notifications' ? '' : 'notifications';
                          }}
                        >
                          ${this.i18n.t('notifications')}
                        </button>
                        <button
                          aria-pressed=${this.adminView === 'audit'}
                          @click=${() => {
                            this.adminView = this.adminView === 'audit' ? '' : 'audit';
                          }}
                        >
                          ${this.i18n.t('auditTrail')}
                        </button>`
                    : nothing
                }
                <button @click=${this.#signOut}>Sign out</button>`
            : nothing
        }
      </header>
      ${
        u && this.adminView
          ? html`<section
              aria-label=${this.i18n.t(this.adminView === 'audit' ? 'auditTrail' : 'notifications')}
              style="margin-bottom: 16px"
            >
              ${
                this.adminView === 'audit'
                  ? html`<of-audit-view .api=${this.admin} .workflows=${this.docs}></of-audit-view>`
                  : html`<of-notifications-view .api=${this.admin} .workflows=${this.docs}></of-notifications-view>`
              }
              <button
                @click=${() => {
                  this.adminView = '';
                }}
              >
                ${this.i18n.t('close')}
              </button>
            </section>`
          : nothing
      }
      ${this.error ? html`<of-alert kind="error" .message=${this.error}></of-alert>` : nothing}
      ${
        u && this.rules
          ? html`<of-order-workspace
              .api=${this.api}
              .rules=${this.rules}
              .stores=${this.stores}
              .perPage=${this.perPage}
              .initialFilters=${this.initialFilters}
              .prefetched=${this.#takePrefetch()}
              @of-session-expired=${() => {
                this.user = null;
                this.#showSignIn();
              }}
            ></of-order-workspace>`
          : !u && !this.busy
            ? html`<form class="signin" @submit=${this.#signIn}>
                <h2>Sign in</h2>
                <label for="username">Demo user</label>
                <select id="username" name="username">
                  ${this.users.map(
                    (x) =>
                      html`<option value=${x.username} ?selected=${x.username === this.picked}>
                        ${x.display_name ?? x.username} —
                        ${Object.entries(x.roles ?? {})
                          .filter(([, r]) => r)
                          .map(([w, r]) => `${w}: ${r}`)
                          .join(', ')}
                      </option>`,
                  )}
                </select>
                <label for="password">Password</label>
                <input id="password" name="password" type="password" value="demo" autocomplete="current-password" />
                <button class="primary" type="submit">Sign in</button>
              </form>`
            : html`<p role="status">Loading…</p>`
      }
    `;
  }
}
customElements.define('of-demo', OfDemo);
