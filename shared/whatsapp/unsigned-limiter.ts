import type { Clock } from '../clock.ts';

/**
 * Counts requests to the webhook that are not Meta's (no, bad or altered signature; a wrong
 * verify token) per address, in memory. Signed requests never reach it: Meta retries a
 * delivery for days, and refusing one would only delay it. In memory on purpose: a flood of
 * forgeries then costs one HMAC each and no database work, and each instance refuses its own
 * share of it. At most `maxAddresses` are tracked; the oldest window goes first.
 */
export class UnsignedLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  private readonly opts: { limit: number; windowMs: number; clock: Clock; maxAddresses: number };

  constructor(opts: { limit: number; windowMs: number; clock: Clock; maxAddresses?: number }) {
    this.opts = { maxAddresses: 10_000, ...opts };
  }

  /**
   * Counts one request from `address`; the seconds until its window restarts when it is over
   * the limit, or null when it is within it.
   *
   * @example
   * const retryAfter = limiter.hit(clientIp(c));
   * if (retryAfter !== null) throw tooMany(retryAfter);
   */
  hit(address: string): number | null {
    const now = this.opts.clock.now();
    let w = this.windows.get(address);
    if (!w || w.resetAt <= now) {
      this.windows.delete(address);
      if (this.windows.size >= this.opts.maxAddresses) {
        const oldest = this.windows.keys().next().value;
        if (oldest !== undefined) this.windows.delete(oldest);
      }
      w = { count: 0, resetAt: now + this.opts.windowMs };
      this.windows.set(address, w);
    }
    w.count++;
    if (w.count <= this.opts.limit) return null;
    return Math.max(1, Math.ceil((w.resetAt - now) / 1000));
  }
}
