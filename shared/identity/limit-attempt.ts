import type { Context } from 'hono';
import { AppError } from '../errors.ts';
import { clientIp } from '../http/client-ip.ts';
import type { AppEnv } from '../http/context.ts';
import { withService } from '../http/doors.ts';
import { hitRateLimit, type RateLimitResult } from './rate-limits.ts';

interface Check {
  key: string;
  limit: number;
}

/** IETF RateLimit headers describing one limit's state. */
function headersFor(check: Check, window: number, hit: RateLimitResult, now: number) {
  const reset = Math.max(1, Math.ceil((hit.resetAt.getTime() - now) / 1000));
  return {
    reset,
    headers: {
      'ratelimit-policy': `${check.limit};w=${window}`,
      ratelimit: `limit=${check.limit}, remaining=${hit.remaining}, reset=${reset}`,
    },
  };
}

/**
 * Counts one attempt at `action` against the caller's address and, when given, against the
 * account *from that address*, in PostgreSQL so every function instance shares the count.
 * Nothing here is counted per account alone: strangers at other addresses must never be able
 * to lock an owner out (the account-wide last line is the password budget the Auth hook keeps).
 * Over a limit: 429 with `Retry-After` and the `RateLimit` headers of the limit that refused;
 * otherwise the headers describe whichever limit is closest to refusing.
 */
export async function limitAttempt(
  c: Context<AppEnv>,
  action: string,
  account?: string,
): Promise<void> {
  const { config, clock } = c.var.services;
  const window = config.AUTH_RATE_LIMIT_WINDOW_SECONDS;
  const ip = clientIp(c);
  const checks: Check[] = [{ key: `${action}:ip:${ip}`, limit: config.AUTH_RATE_LIMIT_PER_IP }];
  if (account) {
    checks.push({
      key: `${action}:account:${account.toLowerCase()}:ip:${ip}`,
      limit: config.AUTH_RATE_LIMIT_PER_ACCOUNT,
    });
  }
  const active = checks.filter((check) => check.limit > 0);
  if (!active.length) return;
  const at = new Date(clock.now());
  const hits = await withService(c, async (tx) => {
    const out: RateLimitResult[] = [];
    for (const check of active)
      out.push(await hitRateLimit(tx, check.key, check.limit, window, at));
    return out;
  });
  const now = clock.now();
  const refused = hits.findIndex((hit) => !hit.allowed);
  if (refused >= 0) {
    const { reset, headers } = headersFor(
      active[refused] as Check,
      window,
      hits[refused] as RateLimitResult,
      now,
    );
    throw new AppError('rate_limited', {
      detail: 'Too many attempts; try again later',
      headers: { ...headers, 'retry-after': String(reset) },
    });
  }
  const tightest = hits.reduce(
    (best, hit, i) => (hit.remaining < (hits[best] as RateLimitResult).remaining ? i : best),
    0,
  );
  const { headers } = headersFor(
    active[tightest] as Check,
    window,
    hits[tightest] as RateLimitResult,
    now,
  );
  for (const [name, value] of Object.entries(headers)) c.header(name, value);
}
