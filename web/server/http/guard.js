// Who is calling, before any route runs: the session (bearer token or cookie), the rate limit,
// and the CSRF token a cookie-authenticated mutation must carry. Routes then ask requireUser.
import { fail } from './errors.js';
import { RateLimiter, SESSION_COOKIE, safeEqual } from '../auth.js';

export function createGuard({ sessions, rateLimit: rateConfig }) {
  // Own token bucket (auth.js), not @fastify/rate-limit: requests cost by their size (rows listed,
  // body bytes, bulk ids; limits.js extraCost), charged after the fact as debt, which that plugin's
  // one-point-per-request model cannot express.
  const limiter = new RateLimiter(rateConfig);

  async function authenticate(request) {
    const h = request.headers.authorization;
    const bearer = typeof h === 'string' ? /^Bearer\s+/i.exec(h) : null;
    if (bearer) {
      const token = h.slice(bearer[0].length).trim();
      const s = await sessions.resolve(token);
      return s ? { ...s, via: 'bearer', token } : { invalid: true };
    }
    const cookie = request.cookies[SESSION_COOKIE];
    if (cookie) {
      const s = await sessions.resolve(cookie);
      return s ? { ...s, via: 'cookie', token: cookie } : null;
    }
    return null;
  }

  function requireUser(ctx) {
    if (!ctx.auth || ctx.auth.invalid) {
      throw fail(
        ctx.dialect,
        401,
        'unauthorized',
        ctx.auth?.invalid
          ? 'The bearer token is invalid or has expired; log in again'
          : 'Authentication required: log in and send Authorization: Bearer <token> or the session cookie',
      );
    }
    return ctx.auth.user;
  }

  function rateLimit(ctx, cost) {
    if (cost <= 0) return;
    const wait = limiter.take(ctx.who, cost);
    if (wait) throw fail(ctx.dialect, 429, 'rate_limited', `Too many requests; retry in ${wait} s`, {}, { 'Retry-After': String(wait) });
  }

  // Fills ctx.auth, ctx.who and ctx.charge; 429 over the rate limit; 403 for a cookie-authenticated
  // mutation without the session's X-CSRF-Token. opts: the route's {public, webhook: null | (request)
  // => whether it carries the webhook's secret}.
  async function admit(ctx, opts) {
    const { request } = ctx;
    ctx.auth = opts.webhook ? null : await authenticate(request);
    // A webhook's caller spends the webhook's bucket only once it has shown the secret
    // (opts.webhook(request)); without it, its address's, as any anonymous caller: a flood with a
    // wrong secret took the 'pos' bucket and locked the real point-of-sale system out (429).
    const ip = `ip:${request.raw.socket.remoteAddress}`;
    const who = opts.webhook ? (opts.webhook(request) ? 'pos' : ip) : ctx.auth?.user ? `u:${ctx.auth.user.username}` : ip;
    ctx.who = who;
    ctx.charge = (n) => limiter.charge(who, n);
    rateLimit(ctx, 1);
    if (request.method !== 'GET' && request.method !== 'HEAD' && !opts.public && !opts.webhook && ctx.auth?.via === 'cookie') {
      const token = request.headers['x-csrf-token'];
      if (!safeEqual(typeof token === 'string' ? token : '', ctx.auth.csrf)) {
        const message = 'Missing or wrong X-CSRF-Token header (required with the session cookie)';
        throw fail(
          ctx.dialect === 'delivery' ? 'delivery' : 'cms',
          403,
          'csrf',
          message,
          ctx.dialect === 'delivery' ? { body: { error: { code: 'csrf', message } } } : {},
        );
      }
    }
  }

  return { admit, requireUser, rateLimit };
}
