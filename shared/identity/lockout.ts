import type { Tx } from '../db/client.ts';

/** How failed logins turn into locks; the lock doubles with every failure past the threshold. */
export interface LockoutPolicy {
  /** Failures (per account and IP) before the first lock. */
  threshold: number;
  /** The first lock's length in seconds. */
  baseSeconds: number;
  /** The longest lock in seconds. */
  maxSeconds: number;
}

/**
 * Records a failed login for `account` from `ip` and returns the end of the lock it earned,
 * or null while under the threshold. The account is compared case-insensitively. Service
 * role only (`asService`).
 *
 * @example
 * const until = await recordLoginFailure(tx, email, ip, { threshold: 5, baseSeconds: 30, maxSeconds: 900 });
 */
export async function recordLoginFailure(
  tx: Tx,
  account: string,
  ip: string,
  policy: LockoutPolicy,
): Promise<Date | null> {
  // At `threshold` failures and beyond, locked for base * 2^(failures - threshold), capped.
  const [row] = await tx<{ until: Date | null }[]>`
    select private.login_failure(${account}, ${ip}, ${policy.threshold}::int,
                                 ${policy.baseSeconds}::int, ${policy.maxSeconds}::int) as until`;
  return row?.until ?? null;
}

/**
 * When the account+IP pair is locked, until when; null when it may try again. Check it
 * before verifying the password, so a locked pair learns nothing from its guesses.
 */
export async function loginLockedUntil(tx: Tx, account: string, ip: string): Promise<Date | null> {
  // Null for a pair never seen, never locked, or whose lock has passed.
  const [row] = await tx<{ until: Date | null }[]>`
    select private.login_locked_until(${account}, ${ip}) as until`;
  return row?.until ?? null;
}

/** Forgets the pair's failures and lock after a successful login. Service role only. */
export async function clearLoginFailures(tx: Tx, account: string, ip: string): Promise<void> {
  // After this the pair starts from zero failures.
  await tx`select private.login_success(${account}, ${ip})`;
}
