import { isIP } from 'node:net';
import type { Tx } from '../../../../shared/db/client.ts';
import { clientIp, type EmuContext } from '../context.ts';
import { type AuthError, notFound, unprocessable } from '../errors.ts';
import type { Aal } from '../sessions.ts';
import type { Db } from '../users.ts';

/** GoTrue's MFA defaults (`GOTRUE_MFA_*`): challenge and unverified-factor lifetimes. */
export const CHALLENGE_EXPIRY_SECONDS = 300;
export const FACTOR_EXPIRY_SECONDS = 300;
export const MAX_VERIFIED_FACTORS = 10;

export interface FactorRow {
  id: string;
  user_id: string;
  friendly_name: string | null;
  factor_type: string;
  status: 'verified' | 'unverified';
  secret: string | null;
  phone: string | null;
  created_at: Date;
  updated_at: Date;
  last_challenged_at: Date | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string) => UUID.test(value);

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/** A factor as GoTrue serialises `models.Factor` (the secret never leaves the database). */
export function factorJson(f: FactorRow): Record<string, unknown> {
  return {
    id: f.id,
    created_at: iso(f.created_at),
    updated_at: iso(f.updated_at),
    status: f.status,
    ...(f.friendly_name ? { friendly_name: f.friendly_name } : {}),
    factor_type: f.factor_type,
    phone: f.phone ?? '',
    last_challenged_at: iso(f.last_challenged_at),
  };
}

/** The user's factor, answered as GoTrue's `loadFactor` middleware does when it is not theirs. */
export async function findOwnedFactor(db: Db, userId: string, factorId: string) {
  if (!isUuid(factorId)) throw notFound('validation_failed', 'factor_id must be an UUID');
  const [factor] = await db<FactorRow[]>`
    select * from auth.mfa_factors where id = ${factorId} and user_id = ${userId}`;
  if (!factor) throw notFound('mfa_factor_not_found', 'Factor not found');
  return factor;
}

export async function sessionAal(db: Db, sessionId: string): Promise<Aal> {
  const [row] = await db<
    { aal: Aal | null }[]
  >`select aal from auth.sessions where id = ${sessionId}`;
  return row?.aal ?? 'aal1';
}

/**
 * GoTrue's `DeleteExpiredFactors`, run before each enrolment: unverified factors that were
 * never challenged and are older than the factor expiry are abandoned enrolments.
 */
export async function deleteExpiredFactors(tx: Tx, at: Date): Promise<void> {
  await tx`
    delete from auth.mfa_factors f
     where f.status <> 'verified'
       and not exists (select 1 from auth.mfa_challenges c where c.factor_id = f.id)
       and f.created_at + make_interval(secs => ${FACTOR_EXPIRY_SECONDS}) < ${at}::timestamptz`;
}

/**
 * GoTrue's `DowngradeSessionsToAAL1` after a factor is removed: sessions raised with it lose
 * the factor's AMR claim and drop back to aal1 (their next refresh carries it).
 */
export async function downgradeSessions(tx: Tx, factor: FactorRow, at: Date): Promise<void> {
  await tx`
    delete from auth.mfa_amr_claims
     where authentication_method = ${factor.factor_type}
       and session_id in (select id from auth.sessions where factor_id = ${factor.id})`;
  await tx`
    update auth.sessions set aal = 'aal1', factor_id = null, updated_at = ${at}
     where user_id = ${factor.user_id} and factor_id = ${factor.id}`;
}

/** The address stored with a challenge (an `inet` column), and compared on verify. */
export function challengeIp(c: EmuContext): string {
  const ip = clientIp(c);
  return isIP(ip) ? ip : '0.0.0.0';
}

/**
 * GoTrue's `validateChallenge`: the challenge must belong to the factor, be unused and come
 * from the address that created it (one ambiguous answer for both), and be unexpired; an
 * expired one is deleted. Returns the challenge id, or the refusal.
 */
export async function validateChallenge(
  tx: Tx,
  factorId: string,
  challengeId: string,
  ip: string,
  at: Date,
): Promise<{ id: string } | { error: AuthError }> {
  const [ch] = await tx<{ id: string; used: boolean; same_ip: boolean; expired: boolean }[]>`
    select id, verified_at is not null as used, ip_address = ${ip}::inet as same_ip,
           created_at + make_interval(secs => ${CHALLENGE_EXPIRY_SECONDS}) < ${at}::timestamptz as expired
      from auth.mfa_challenges
     where id = ${challengeId || '00000000-0000-0000-0000-000000000000'} and factor_id = ${factorId}
       for update`;
  if (!ch) {
    const msg = 'MFA factor with the provided challenge ID not found';
    return { error: unprocessable('mfa_factor_not_found', msg) };
  }
  if (ch.used || !ch.same_ip) {
    const msg = 'Challenge and verify IP addresses mismatch.';
    return { error: unprocessable('mfa_ip_address_mismatch', msg) };
  }
  if (ch.expired) {
    await tx`delete from auth.mfa_challenges where id = ${ch.id}`;
    const msg = `MFA challenge ${ch.id} has expired, verify against another challenge or create a new challenge.`;
    return { error: unprocessable('mfa_challenge_expired', msg) };
  }
  return { id: ch.id };
}
