// Login throttling against password guessing, with rate-limiter-flexible: failed logins are
// counted per username and per client address over a window; past the limit, every login for that
// username (or from that address) gets 429 with Retry-After, even with the right password, until
// the lock-out ends. A successful login clears its username's count. Unknown usernames are counted
// like known ones, so the answers do not tell which usernames exist.
// The counts live in memory, or with `pool` (the PostgreSQL store's) in the database (table
// login_throttle, store/postgres/schema.js), so that instances sharing it share the counts:
// N instances do not give N times the guesses.
import { createHash } from 'node:crypto';
import { RateLimiterMemory, RateLimiterPostgres } from 'rate-limiter-flexible';

// Keys of the database table are varchar(255) text: usernames of any length or content (even
// U+0000, which PostgreSQL text cannot hold) are counted under their sha256.
const hashed = (limiter) => {
  const k = (s) => createHash('sha256').update(String(s)).digest('hex');
  return {
    points: limiter.points,
    get: (s) => limiter.get(k(s)),
    consume: (s) => limiter.consume(k(s)),
    delete: (s) => limiter.delete(k(s)),
  };
};

export class LoginThrottle {
  // maxPerUsername / maxPerAddress: failures allowed in windowS; the next one locks for lockoutS.
  constructor({ maxPerUsername, maxPerAddress, lockoutS, windowS = 15 * 60, pool = null }) {
    const limiter = (keyPrefix, max) => {
      const opts = { keyPrefix, points: max - 1, duration: windowS, blockDuration: lockoutS };
      return pool
        ? hashed(
            new RateLimiterPostgres({ ...opts, storeClient: pool, storeType: 'pool', tableName: 'login_throttle', tableCreated: true }),
          )
        : new RateLimiterMemory(opts);
    };
    this.byUsername = limiter('login-user', maxPerUsername);
    this.byAddress = limiter('login-addr', maxPerAddress);
  }

  // Seconds until a login for `username` from `address` may be tried, 0 when it may now.
  async wait(username, address) {
    const res = await Promise.all([this.byUsername.get(username), this.byAddress.get(address)]);
    const blocked = res.filter((r, i) => r && r.consumedPoints > [this.byUsername, this.byAddress][i].points);
    return blocked.length ? Math.max(1, ...blocked.map((r) => Math.ceil(r.msBeforeNext / 1000))) : 0;
  }

  // Counts a failed login; answers the lock-out in seconds if this failure started one, else 0.
  async failed(username, address) {
    const res = await Promise.allSettled([this.byUsername.consume(username), this.byAddress.consume(address)]);
    const locked = res.filter((r) => r.status === 'rejected').map((r) => r.reason);
    if (locked.some((e) => e instanceof Error)) throw locked.find((e) => e instanceof Error);
    return locked.length ? Math.max(1, ...locked.map((r) => Math.ceil(r.msBeforeNext / 1000))) : 0;
  }

  async succeeded(username) {
    await this.byUsername.delete(username);
  }
}
