import type { Tx } from '../db/client.ts';

/** The verdict on one hit: whether it is within the limit, and when the window restarts. */
export interface RateLimitResult {
  allowed: boolean;
  /** Hits left in this window (0 once the limit is reached). */
  remaining: number;
  resetAt: Date;
}

/**
 * Counts one hit against `key` at `at` (the caller's clock) in a fixed window of
 * `windowSeconds`, allowing `limit` per window. Atomic in the database, so every API instance shares one count per key. Runs
 * through `private.rate_limit_hit`, which only `service_role` may execute: call it inside
 * `asService`.
 *
 * @example
 * const r = await asService(db, (tx) => hitRateLimit(tx, `login:ip:${ip}`, 10, 60, new Date(clock.now())));
 * if (!r.allowed) throw tooManyRequests(r.resetAt);
 */
export async function hitRateLimit(
  tx: Tx,
  key: string,
  limit: number,
  windowSeconds: number,
  at: Date,
): Promise<RateLimitResult> {
  // Exactly `limit` hits per key and window see allowed = true, however many race.
  const [row] = await tx<RateLimitResult[]>`
    select allowed, remaining, reset_at as "resetAt"
      from private.rate_limit_hit(${key}, ${limit}::int, ${windowSeconds}::int,
                                  ${at.toISOString()}::timestamptz)`;
  if (!row) throw new Error('rate_limit_hit returned no row');
  return row;
}
