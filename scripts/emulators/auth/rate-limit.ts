import { tooManyRequests } from './errors.ts';
import type { AuthSettings } from './settings.ts';

const MINUTE = 60_000;
const FIVE_MINUTES = 5 * MINUTE;
const HOUR = 60 * MINUTE;

/** GoTrue's per-IP limiters (tollbooth token buckets), one per name, each keyed by address. */
export type IpLimit =
  | 'token'
  | 'verify'
  | 'signup'
  | 'anonymous'
  | 'recover'
  | 'resend'
  | 'magiclink'
  | 'otp'
  | 'user'
  | 'factor_challenge'
  | 'factor_verify'
  | 'sso'
  | 'saml_assertion'
  | 'web3'
  | 'oauth_client_register';

interface BucketSpec {
  /** Requests refilled per `windowMs`. */
  rate: number;
  windowMs: number;
  /** The bucket's size: requests allowed at once from a fresh address. */
  burst: number;
  /** A bucket is forgotten (and starts full again) this long after it was made. */
  ttlMs: number;
}

/**
 * GoTrue's `apilimiter.New`: every limit refills `rate` per 5 minutes with a burst of 30 and
 * an hour's memory, except anonymous sign-ins (per hour, burst = the limit) and the MFA
 * challenge and verify limits (per minute). All `POST /token` grants but web3 share `token`.
 */
function spec(name: IpLimit, limits: AuthSettings['rateLimits']): BucketSpec {
  const per5m = (rate: number): BucketSpec => ({
    rate,
    windowMs: FIVE_MINUTES,
    burst: 30,
    ttlMs: HOUR,
  });
  switch (name) {
    case 'token':
      return per5m(limits.tokenRefresh);
    case 'verify':
      return per5m(limits.verify);
    case 'anonymous':
      return {
        rate: limits.anonymousUsers,
        windowMs: HOUR,
        burst: limits.anonymousUsers,
        ttlMs: HOUR,
      };
    case 'factor_challenge':
    case 'factor_verify':
      return { rate: limits.mfaChallengeAndVerify, windowMs: MINUTE, burst: 30, ttlMs: MINUTE };
    case 'sso':
    case 'saml_assertion':
      return per5m(limits.sso);
    case 'web3':
      return per5m(limits.web3);
    case 'oauth_client_register':
      return per5m(limits.oauthClientRegister);
    default:
      return per5m(limits.otp);
  }
}

/**
 * The Auth emulator's rate limits, in memory (the emulator is one process), reading time
 * from `now` so tests move it by hand. Per-IP limits are token buckets as in GoTrue; the
 * email limit is GoTrue's global interval limiter (so many mails per hour, all addresses).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number; expiresAt: number }>();
  private mail = { start: Number.NaN, count: 0 };
  private readonly now: () => number;

  constructor(now: () => number) {
    this.now = now;
  }

  /** Takes one request from `name`'s bucket for `ip`; past it, GoTrue's 429. */
  perIp(name: IpLimit, ip: string, limits: AuthSettings['rateLimits']): void {
    const s = spec(name, limits);
    if (s.rate <= 0) return;
    const now = this.now();
    const key = `${name}:${ip}`;
    let b = this.buckets.get(key);
    if (!b || b.expiresAt <= now) {
      b = { tokens: s.burst, at: now, expiresAt: now + s.ttlMs };
      this.buckets.set(key, b);
    }
    const refill = (Math.max(0, now - b.at) * Math.max(0, s.rate)) / s.windowMs;
    b.tokens = Math.min(s.burst, b.tokens + refill);
    b.at = now;
    if (b.tokens < 1)
      throw tooManyRequests('over_request_rate_limit', 'Request rate limit reached');
    b.tokens -= 1;
  }

  /** One more mail against GoTrue's global email limit (`GOTRUE_RATE_LIMIT_EMAIL_SENT` per hour). */
  email(limitPerHour: number): void {
    if (limitPerHour <= 0) return;
    const now = this.now();
    if (Number.isNaN(this.mail.start)) this.mail.start = now;
    const intervals = Math.floor((now - this.mail.start) / HOUR);
    if (intervals > 0) this.mail = { start: this.mail.start + intervals * HOUR, count: 0 };
    if (this.mail.count >= limitPerHour) {
      throw tooManyRequests('over_email_send_rate_limit', 'Email rate limit exceeded');
    }
    this.mail.count += 1;
  }

  reset(): void {
    this.buckets.clear();
    this.mail = { start: Number.NaN, count: 0 };
  }
}
