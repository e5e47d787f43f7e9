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

const ts = (at: Date) => at.toISOString();

/**
 * Records a failed login for `account` from `ip` at `at` and returns the end of the lock it
 * earned, or null while under the threshold. The account is compared case-insensitively.
 * Service role only (`withService`).
 *
 * @example
 * const until = await recordLoginFailure(tx, email, ip, policy, new Date(clock.now()));
 */
export async function recordLoginFailure(
  tx: Tx,
  account: string,
  ip: string,
  policy: LockoutPolicy,
  at: Date,
): Promise<Date | null> {
  // At `threshold` failures and beyond, locked for base * 2^(failures - threshold), capped.
  const [row] = await tx<{ until: Date | null }[]>`
    select private.login_failure(${account}, ${ip}, ${policy.threshold}::int,
                                 ${policy.baseSeconds}::int, ${policy.maxSeconds}::int,
                                 ${ts(at)}::timestamptz) as until`;
  return row?.until ?? null;
}

/**
 * Why password sign-in must wait, checked before asking Auth so a locked caller learns
 * nothing from a guess: `lock` is this account+address pair's own lock (this door's), `pause`
 * the account-wide pause the Auth hook set when the failure budget ran out (both doors').
 * Each is the time it ends, or null.
 */
export async function passwordHolds(
  tx: Tx,
  account: string,
  ip: string,
  at: Date,
): Promise<{ lock: Date | null; pause: Date | null }> {
  const [row] = await tx<{ lock: Date | null; pause: Date | null }[]>`
    select private.login_locked_until(${account}, ${ip}, ${ts(at)}::timestamptz) as lock,
           private.password_paused_until(${account}, ${ts(at)}::timestamptz) as pause`;
  return { lock: row?.lock ?? null, pause: row?.pause ?? null };
}

/** Forgets the pair's failures and lock after a successful login. Service role only. */
export async function clearLoginFailures(tx: Tx, account: string, ip: string): Promise<void> {
  // After this the pair starts from zero failures.
  await tx`select private.login_success(${account}, ${ip})`;
}
