import type { Context } from 'hono';
import { AppError } from '../../../errors.ts';
import { clientIp } from '../../../http/client-ip.ts';
import type { AppEnv } from '../../../http/context.ts';
import type { UnsignedLimiter } from '../../../whatsapp/unsigned-limiter.ts';

/**
 * Counts a request that is not Meta's against its address, logs it (never its body), and
 * answers `refusal`, or 429 once the address is over its limit.
 */
export function refuseUnsigned(
  c: Context<AppEnv>,
  limiter: UnsignedLimiter | null,
  refusal: AppError,
  fields: Record<string, unknown>,
): never {
  const ip = clientIp(c);
  c.var.log.warn('webhook request refused', { ...fields, ip, status: refusal.status });
  const retryAfter = limiter?.hit(ip) ?? null;
  if (retryAfter !== null) {
    throw new AppError('rate_limited', {
      detail: 'Too many unsigned requests from this address; try again later',
      headers: { 'retry-after': String(retryAfter) },
    });
  }
  throw refusal;
}

const encoder = new TextEncoder();

/** Whether two secrets are equal, in time that depends on neither (digests are compared). */
export async function secretsEqual(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all(
    [given, expected].map(
      async (s) => new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(s))),
    ),
  );
  let diff = 0;
  for (let i = 0; i < 32; i++) diff |= (a?.[i] ?? 0) ^ (b?.[i] ?? 0);
  return diff === 0;
}
