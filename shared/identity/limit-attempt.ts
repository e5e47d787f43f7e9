import type { Context } from 'hono';
import { AppError } from '../errors.ts';
import { clientIp } from '../http/client-ip.ts';
import type { AppEnv } from '../http/context.ts';
import { withService } from '../http/doors.ts';
import { hitRateLimit } from './rate-limits.ts';

/**
 * Counts one attempt at `action` against the caller's IP and, when given, the account, in
 * PostgreSQL so every function instance shares the count. Over either limit: 429 with
 * `Retry-After` and the IETF `RateLimit` headers.
 */
export async function limitAttempt(
  c: Context<AppEnv>,
  action: string,
  account?: string,
): Promise<void> {
  const { config } = c.var.services;
  const window = config.AUTH_RATE_LIMIT_WINDOW_SECONDS;
  const checks: Array<[string, number]> = [
    [`${action}:ip:${clientIp(c)}`, config.AUTH_RATE_LIMIT_PER_IP],
  ];
  if (account)
    checks.push([`${action}:account:${account.toLowerCase()}`, config.AUTH_RATE_LIMIT_PER_ACCOUNT]);
  for (const [key, limit] of checks) {
    if (limit === 0) continue;
    const hit = await withService(c, (tx) => hitRateLimit(tx, key, limit, window));
    const reset = Math.max(1, Math.ceil((hit.resetAt.getTime() - Date.now()) / 1000));
    const headers = {
      'ratelimit-policy': `${limit};w=${window}`,
      ratelimit: `limit=${limit}, remaining=${hit.remaining}, reset=${reset}`,
    };
    if (!hit.allowed) {
      throw new AppError('rate_limited', {
        detail: 'Too many attempts; try again later',
        headers: { ...headers, 'retry-after': String(reset) },
      });
    }
    for (const [name, value] of Object.entries(headers)) c.header(name, value);
  }
}
