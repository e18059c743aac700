// Logging in and out (bearer token or session cookie + CSRF token), the signed-in user, the demo
// users. Failed logins are throttled per username and address and per address, and slowed per
// username (login-throttle.js).
import { setTimeout as delay } from 'node:timers/promises';
import { fail } from '../http/errors.js';
import { SESSION_COOKIE, verifyPassword, userFromRow } from '../auth.js';
import * as S from './schemas.js';

const DUMMY_HASH = 'scrypt$16384$8$1$00000000000000000000000000000000$' + '0'.repeat(64);
const tag = 'auth';
export const userJson = (u) => ({ username: u.username, display_name: u.display_name, roles: u.roles, stores: u.stores });
const user = {
  type: 'object',
  properties: {
    username: { type: 'string' },
    display_name: { type: 'string' },
    roles: { type: 'object', additionalProperties: { type: ['string', 'null'] } },
    stores: { type: 'array', items: { type: 'string' } },
  },
};

export function authRoutes({ define, store, sessions, logins, endSession, requireUser }) {
  const credentials = 'username and password are required strings';
  define({
    method: 'POST',
    url: '/api/auth/login',
    public: true,
    mutation: true,
    schema: {
      summary: 'Log in: a bearer token, a CSRF token and the session cookie',
      tags: [tag],
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['username', 'password'],
        properties: { username: { type: 'string', maxLength: 200 }, password: { type: 'string', maxLength: 1000 } },
      },
      response: {
        200: { type: 'object', properties: { success: { const: true }, token: { type: 'string' }, csrf_token: { type: 'string' }, user } },
        400: S.sharedError,
        401: S.sharedError,
        413: S.sharedError,
        415: S.sharedError,
        429: S.sharedError,
      },
    },
    messages: { body: { username: credentials, password: credentials } },
    handler: async (ctx, body) => {
      const address = ctx.req.socket.remoteAddress ?? '?';
      const throttled = (s) =>
        fail(
          ctx.dialect,
          429,
          'login_throttled',
          `Too many failed logins from this address; retry in ${s} s`,
          {},
          { 'Retry-After': String(s) },
        );
      const { wait, slowMs } = await logins.check(body.username, address);
      if (wait) throw throttled(wait); // before the password is even hashed
      // an account many sources are guessing at: slowed, never refused (login-throttle.js)
      const slowed = slowMs ? delay(slowMs) : null;
      const row = await store.users.get(body.username);
      const ok = await verifyPassword(body.password, row ? row.password_hash : DUMMY_HASH);
      await slowed; // counted from the request's arrival, and the same whatever the password was
      if (!row || !ok) {
        const locked = await logins.failed(body.username, address);
        if (locked) throw throttled(locked);
        return { status: 401, body: { success: false, message: 'Invalid username or password' } };
      }
      await logins.succeeded(body.username, address);
      const { token, csrf } = await sessions.create(row.username);
      return {
        status: 200,
        body: { success: true, token, csrf_token: csrf, user: userJson(userFromRow(row)) },
        headers: {
          'Set-Cookie': `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(sessions.ttlMs / 1000)}`,
        },
      };
    },
  });

  const security = [{ bearer: [] }, { cookie: [] }];
  define({
    method: 'GET',
    url: '/api/auth/me',
    schema: {
      summary: "The signed-in user and the session's CSRF token",
      tags: [tag],
      security,
      response: {
        200: { type: 'object', properties: { success: { const: true }, user, csrf_token: { type: 'string' } } },
        401: S.sharedError,
      },
    },
    handler: (ctx) => ({ status: 200, body: { success: true, user: userJson(requireUser(ctx)), csrf_token: ctx.auth.csrf } }),
  });

  define({
    method: 'POST',
    url: '/api/auth/logout',
    schema: {
      summary: 'End the session (its event streams end too)',
      tags: [tag],
      security,
      response: { 200: { type: 'object', properties: { success: { const: true } } }, 401: S.sharedError, 403: S.sharedError },
    },
    handler: async (ctx) => {
      requireUser(ctx);
      await sessions.destroy(ctx.auth.token);
      endSession(ctx.auth.token); // its streams on every instance (app.js)
      return {
        status: 200,
        body: { success: true },
        headers: { 'Set-Cookie': `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0` },
      };
    },
  });

  define({
    method: 'GET',
    url: '/api/auth/demo_users',
    public: true,
    schema: {
      summary: 'The demo users (the demo page\'s picker; every password is "demo")',
      tags: [tag],
      response: { 200: { type: 'object', properties: { success: { const: true }, users: { type: 'array', items: user } } } },
    },
    handler: async () => ({ status: 200, body: { success: true, users: (await store.users.list()).map((r) => userJson(userFromRow(r))) } }),
  });
}
