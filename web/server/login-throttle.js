// Login throttling against password guessing, with rate-limiter-flexible, shaped as its guide's
// "login endpoint protection" (failures counted per username AND address, and per address) so
// that nobody can lock a real user out by failing logins on their username from elsewhere:
// - per (username, client address): past maxPerUsernameAndAddress failures in the window, logins
//   for that username from that address get 429 with Retry-After for lockoutS, even with the
//   right password. Another address can still sign in. A success clears that pair's count.
// - per client address: past maxPerAddress failures (any usernames), every login from it is
//   locked the same way (one source spraying usernames).
// - per username, from all addresses: once slowAfter failures in the window (many sources
//   guessing one account), its logins are slowed, never refused: each attempt, right or wrong,
//   is answered no sooner than slowMs after it arrived (the same for both, so the time tells
//   nothing). A success does not clear this count: the guesses would otherwise be forgiven
//   whenever the owner signs in.
// Unknown usernames are counted like known ones, so the answers do not tell which exist.
// The counts live in memory, or with `pool` (the PostgreSQL store's) in the database (table
// login_throttle, store/tables.js), so that instances sharing it share the counts: N instances do
// not give N times the guesses.
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
    penalty: (s) => limiter.penalty(k(s)),
    delete: (s) => limiter.delete(k(s)),
  };
};

// One key for a (username, address) pair; JSON so that no username can mimic another pair.
const pair = (username, address) => JSON.stringify([String(username), String(address)]);
const seconds = (res) => Math.max(1, Math.ceil(res.msBeforeNext / 1000));

export class LoginThrottle {
  // maxPerUsernameAndAddress: failures of one username from one address, maxPerAddress: from one
  // address, allowed in windowS; the next one locks for lockoutS. slowAfter: failures of one username from
  // all addresses in windowS after which its logins take slowMs.
  constructor({ maxPerUsernameAndAddress, maxPerAddress, lockoutS, slowAfter, slowMs, windowS = 15 * 60, pool = null }) {
    const limiter = (keyPrefix, max, blockDuration) => {
      const opts = { keyPrefix, points: max - 1, duration: windowS, blockDuration };
      return pool
        ? hashed(
            new RateLimiterPostgres({ ...opts, storeClient: pool, storeType: 'pool', tableName: 'login_throttle', tableCreated: true }),
          )
        : new RateLimiterMemory(opts);
    };
    this.byPair = limiter('login-user-addr', maxPerUsernameAndAddress, lockoutS);
    this.byAddress = limiter('login-addr', maxPerAddress, lockoutS);
    this.byUsername = limiter('login-user', slowAfter + 1, 0); // counted with penalty(): never blocks
    this.slowAfter = slowAfter;
    this.slowMs = slowMs;
  }

  // Before a login is checked: {wait} seconds until one from `address` for `username` may be tried
  // (0: now), and {slowMs} how long it must take at least (0: no slowing).
  async check(username, address) {
    const [p, a, u] = await Promise.all([
      this.byPair.get(pair(username, address)),
      this.byAddress.get(address),
      this.byUsername.get(username),
    ]);
    const blocked = [
      [p, this.byPair],
      [a, this.byAddress],
    ].filter(([r, l]) => r && r.consumedPoints > l.points);
    return {
      wait: blocked.length ? Math.max(...blocked.map(([r]) => seconds(r))) : 0,
      slowMs: u && u.consumedPoints >= this.slowAfter ? this.slowMs : 0,
    };
  }

  // Counts a failed login; answers the lock-out in seconds if this failure started one, else 0.
  async failed(username, address) {
    const res = await Promise.allSettled([
      this.byPair.consume(pair(username, address)),
      this.byAddress.consume(address),
      this.byUsername.penalty(username),
    ]);
    const locked = res.filter((r) => r.status === 'rejected').map((r) => r.reason);
    if (locked.some((e) => e instanceof Error)) throw locked.find((e) => e instanceof Error);
    return locked.length ? Math.max(...locked.map(seconds)) : 0;
  }

  async succeeded(username, address) {
    await this.byPair.delete(pair(username, address));
  }
}
