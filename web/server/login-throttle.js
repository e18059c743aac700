// Login throttling against password guessing, with rate-limiter-flexible (memory store): failed
// logins are counted per username and per client address over a window; past the limit, every
// login for that username (or from that address) gets 429 with Retry-After, even with the right
// password, until the lock-out ends. A successful login clears its username's count. Unknown
// usernames are counted like known ones, so the answers do not tell which usernames exist.
import { RateLimiterMemory } from 'rate-limiter-flexible';

export class LoginThrottle {
  // maxPerUsername / maxPerAddress: failures allowed in windowS; the next one locks for lockoutS.
  constructor({ maxPerUsername, maxPerAddress, lockoutS, windowS = 15 * 60 }) {
    const limiter = (keyPrefix, max) => new RateLimiterMemory({ keyPrefix, points: max - 1, duration: windowS, blockDuration: lockoutS });
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
