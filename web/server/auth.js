// Users, passwords (node:crypto scrypt with a random salt), sessions (bearer token or cookie +
// CSRF token), and a per-user token-bucket rate limiter.
import { scrypt, randomBytes, hash, timingSafeEqual } from 'node:crypto';

const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 };
export const SESSION_COOKIE = 'orderflow_session';
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

export function hashPasswordAsync(password) {
  const salt = randomBytes(16);
  return new Promise((resolve, reject) => {
    scrypt(password, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p }, (err, hash) => {
      if (err) reject(err);
      else resolve(`scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('hex')}$${hash.toString('hex')}`);
    });
  });
}

export function verifyPassword(password, stored) {
  return new Promise((resolve) => {
    const parts = String(stored).split('$');
    if (parts.length !== 6 || parts[0] !== 'scrypt') {
      resolve(false);
      return;
    }
    const [, N, r, p, saltHex, hashHex] = parts;
    const expected = Buffer.from(hashHex, 'hex');
    scrypt(String(password), Buffer.from(saltHex, 'hex'), expected.length, { N: Number(N), r: Number(r), p: Number(p) }, (err, got) => {
      resolve(!err && got.length === expected.length && timingSafeEqual(got, expected));
    });
  });
}

// crypto.hash: the one-shot form, several times cheaper than createHash().update().digest() (every
// request hashes its session token).
const sha256 = (s) => hash('sha256', s, 'hex');

// A user as the server passes it around: no password hash.
export function userFromRow(row) {
  if (!row) return null;
  return { username: row.username, display_name: row.display_name, roles: row.roles, stores: row.stores };
}

// How long a session found in the store (with its user's roles and stores) is taken as is
// (ORDERFLOW_SESSION_CACHE_MS). Every request looks its session up, and on a status change that
// lookup was about 6% of the server's CPU. What is remembered is forgotten at once on a logout
// through this process (and, through the event hub, through any instance sharing a PostgreSQL
// database), and whenever anyone else wrote users or sessions (invalidate(): on SQLite when
// store.generation() changes, i.e. another process or a tool committed; on PostgreSQL when the
// database's triggers say so through the event hub, store/postgres/schema.js). Expiry is checked
// on every use. On by default where one of those is heard (app.js); on PostgreSQL with an
// in-process hub, only if set.
export const SESSION_CACHE_MS = 1000;
const SESSION_CACHE_MAX = 10000; // sessions remembered at most (then forgotten all at once)
export const MAX_SESSIONS_PER_USER = 1000; // ORDERFLOW_MAX_SESSIONS_PER_USER

export class Sessions {
  constructor(store, { ttlMs = SESSION_TTL_MS, cacheMs = SESSION_CACHE_MS, maxPerUser = MAX_SESSIONS_PER_USER } = {}) {
    this.store = store;
    this.ttlMs = ttlMs;
    this.maxPerUser = maxPerUser;
    this.cacheMs = cacheMs;
    this.cache = new Map(); // token hash -> {found: the store's answer, until}
    this.ended = new Map(); // token hash -> until: logged out lately, never cached again meanwhile
    this.generation = undefined; // the store's generation() the cache was filled under
    this.epoch = 0; // +1 with every invalidate(): a lookup that began before it is not remembered
  }

  async create(username) {
    const token = randomBytes(32).toString('base64url');
    const csrf = randomBytes(24).toString('base64url');
    const now = Date.now();
    await this.store.sessions.purgeExpired(now);
    // One account keeps at most maxPerUser sessions, its oldest end first (`keep`): logins of a
    // valid account (about 47 a second from one address within the rate limit) grew the table
    // without bound for the session's 12 hours. What this process remembers of them is forgotten.
    const ended = await this.store.sessions.create({
      tokenHash: sha256(token),
      username,
      csrf,
      createdAt: new Date(now).toISOString(),
      expiresAt: now + this.ttlMs,
      keep: this.maxPerUser,
    });
    if (ended > 0) this.invalidate();
    return { token, csrf };
  }

  // -> {user, csrf, expiresAt} or null
  async resolve(token) {
    if (typeof token !== 'string' || token.length === 0 || token.length > 200) return null;
    const h = sha256(token);
    if (this.cacheMs <= 0) return Sessions.answer(await this.store.sessions.find(h), Date.now());
    const generation = await this.store.generation();
    if (generation !== this.generation) {
      this.invalidate();
      this.generation = generation;
    }
    let now = Date.now();
    const hit = this.cache.get(h);
    let s;
    if (hit && hit.until >= now) s = hit.found;
    else {
      const epoch = this.epoch;
      s = await this.store.sessions.find(h);
      now = Date.now();
      // Only sessions that exist are remembered (a stream of made-up tokens fills nothing), and
      // not one that was logged out, or edited by anyone, while this lookup ran.
      if (s && epoch === this.epoch && !((this.ended.get(h) ?? 0) >= now)) {
        if (this.cache.size >= SESSION_CACHE_MAX) this.cache.clear();
        this.cache.set(h, { found: s, until: now + this.cacheMs });
      }
    }
    return Sessions.answer(s, now);
  }

  // The store's session (or null) as resolve() answers it at `now`: null once expired.
  static answer(s, now) {
    if (!s || s.expiresAt < now) return null;
    return { user: userFromRow(s.user), csrf: s.csrf, expiresAt: s.expiresAt };
  }

  async destroy(token) {
    if (typeof token !== 'string') return;
    const h = sha256(token);
    this.forget(h);
    await this.store.sessions.remove(h);
    this.forget(h);
  }

  // Users or sessions changed in the store, by anyone (SQLite: generation(); PostgreSQL: the
  // database's 'sessions_stale' event): every session is read again on its next use.
  invalidate() {
    this.epoch += 1;
    this.cache.clear();
  }

  // The session with this token hash ended (a logout here or on another instance).
  forget(tokenHash) {
    const now = Date.now();
    this.cache.delete(tokenHash);
    if (this.ended.size >= SESSION_CACHE_MAX) for (const [k, until] of this.ended) if (until < now) this.ended.delete(k);
    this.ended.set(tokenHash, now + this.cacheMs);
  }
}

export function safeEqual(a, b) {
  if (typeof a !== 'string' || typeof b !== 'string') return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

// ORDERFLOW_RATE_LIMIT: "off" | "0" (no limit) | "<rate>" | "<rate>:<burst>" (requests/s, bucket size).
export function parseRateLimit(text) {
  if (text === undefined || text === '') return { rate: 50, burst: 100 };
  if (text === 'off' || text === '0') return null;
  const m = /^(\d+(?:\.\d+)?)(?::(\d+))?$/.exec(text);
  if (!m) throw new Error(`ORDERFLOW_RATE_LIMIT must be "off", "<rate>" or "<rate>:<burst>", got "${text}"`);
  const rate = Number(m[1]);
  const burst = m[2] !== undefined ? Number(m[2]) : Math.max(1, Math.round(rate * 2));
  if (!(rate > 0) || !(burst >= 1)) throw new Error(`ORDERFLOW_RATE_LIMIT: rate and burst must be positive, got "${text}"`);
  return { rate, burst };
}

export class RateLimiter {
  constructor(config) {
    this.config = config;
    this.buckets = new Map();
  }

  // -> 0 when allowed, else seconds to wait
  take(key, cost = 1) {
    if (!this.config) return 0;
    const { rate, burst } = this.config;
    const b = this.refill(key);
    if (b.tokens >= cost) {
      b.tokens -= cost;
      return 0;
    }
    if (this.buckets.size > 10000) this.prune(b.at);
    return Math.max(1, Math.ceil((Math.min(cost, burst) - b.tokens) / rate));
  }

  // Charges `cost` more tokens for a request already let in (its size known only now): the
  // bucket may go into debt, and the sender's next requests wait until it is paid off.
  charge(key, cost) {
    if (!this.config || !(cost > 0)) return;
    const b = this.refill(key);
    b.tokens = Math.max(b.tokens - cost, -this.config.burst);
  }

  refill(key) {
    const { rate, burst } = this.config;
    const now = Date.now();
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: burst, at: now };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * rate);
    b.at = now;
    return b;
  }

  prune(now) {
    const { rate, burst } = this.config;
    for (const [k, b] of this.buckets) if (b.tokens + ((now - b.at) / 1000) * rate >= burst) this.buckets.delete(k);
  }
}
