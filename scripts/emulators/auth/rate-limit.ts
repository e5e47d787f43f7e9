import { tooManyRequests } from './errors.ts';

/**
 * GoTrue's per-IP limits: a fixed window per bucket and client address, in memory (the
 * emulator is one process). A limit of 0 turns a bucket off.
 */
export class RateLimiter {
  private readonly hits = new Map<string, { count: number; resetAt: number }>();

  private readonly windowMs: number;

  constructor(windowMs = 5 * 60_000) {
    this.windowMs = windowMs;
  }

  check(bucket: string, ip: string, limit: number, code = 'over_request_rate_limit'): void {
    if (limit <= 0) return;
    const key = `${bucket}:${ip}`;
    const now = Date.now();
    let entry = this.hits.get(key);
    if (!entry || entry.resetAt <= now) {
      entry = { count: 0, resetAt: now + this.windowMs };
      this.hits.set(key, entry);
    }
    entry.count += 1;
    if (entry.count > limit) {
      throw tooManyRequests(
        code,
        code === 'over_email_send_rate_limit'
          ? 'Email rate limit exceeded'
          : 'Request rate limit reached',
      );
    }
  }

  reset(): void {
    this.hits.clear();
  }
}
