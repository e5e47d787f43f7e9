import type { Hono } from 'hono';
import QRCode from 'qrcode';
import {
  body,
  type Caller,
  clientIp,
  type EmuContext,
  type EmuEnv,
  limit,
  nowDate,
  requireUser,
} from '../context.ts';
import { badRequest, forbidden, notFound, unprocessable } from '../errors.ts';
import { mfaAttemptHook } from '../mfa/attempt-hook.ts';
import {
  CHALLENGE_EXPIRY_SECONDS,
  challengeIp,
  deleteExpiredFactors,
  downgradeSessions,
  type FactorRow,
  findOwnedFactor,
  isUuid,
  MAX_VERIFIED_FACTORS,
  sessionAal,
  validateChallenge,
} from '../mfa/factors.ts';
import { newTotpSecret, otpauthUri, verifyTotp } from '../mfa/totp.ts';
import { upgradeSession } from '../sessions.ts';
import type { UserRow } from '../users.ts';

const str = (v: unknown) => (typeof v === 'string' ? v : '');
const epoch = (d: Date) => Math.floor(new Date(d).getTime() / 1000);

/** `requireAuthentication` plus `requireNotAnonymous`, which GoTrue puts before `/factors`. */
async function caller(c: EmuContext): Promise<Caller> {
  const who = await requireUser(c);
  if (who.claims.is_anonymous === true)
    throw forbidden('no_authorization', 'Anonymous user not allowed to perform these actions');
  return who;
}

async function ownFactor(c: EmuContext) {
  const who = await caller(c);
  const factor = await findOwnedFactor(c.var.deps.db, who.user.id, c.req.param('id') ?? '');
  if (factor.factor_type !== 'totp')
    throw badRequest('validation_failed', 'factor_type needs to be totp, phone, or webauthn');
  return { who, factor };
}

const nameConflict = (name: string) =>
  unprocessable(
    'mfa_factor_name_conflict',
    `A factor with the friendly name ${JSON.stringify(name)} for this user already exists`,
  );
const tooMany = () =>
  unprocessable(
    'too_many_enrolled_mfa_factors',
    'Maximum number of verified factors reached, unenroll to continue',
  );

/** GoTrue's `validateFactors`: unique names, the factor limits, and aal2 once MFA is on. */
async function checkEnrolment(c: EmuContext, who: Caller, name: string, factors: FactorRow[]) {
  if (factors.some((f) => (f.friendly_name ?? '') === name)) throw nameConflict(name);
  const verified = factors.filter((f) => f.status === 'verified').length;
  if (factors.length >= c.var.deps.settings.mfaMaxFactors) throw tooMany();
  if (verified >= MAX_VERIFIED_FACTORS) throw tooMany();
  if (verified > 0 && (await sessionAal(c.var.deps.db, who.sessionId)) !== 'aal2')
    throw forbidden('insufficient_aal', 'AAL2 required to enroll a new factor');
}

async function enroll(c: EmuContext) {
  const who = await caller(c);
  const input = await body(c);
  const { db, settings } = c.var.deps;
  const type = str(input.factor_type);
  if (type === 'phone')
    throw unprocessable('mfa_phone_enroll_not_enabled', 'MFA enroll is disabled for Phone');
  if (type === 'webauthn')
    throw unprocessable('mfa_webauthn_enroll_not_enabled', 'MFA enroll is disabled for WebAuthn');
  if (type !== 'totp')
    throw badRequest('validation_failed', 'factor_type needs to be totp, phone, or webauthn');
  const name = str(input.friendly_name);
  const issuer = str(input.issuer) || new URL(settings.siteUrl).host;
  // GoTrue clears abandoned enrolments first and keeps that even if this one is refused.
  const now = nowDate(c.var.deps);
  await db.begin((tx) => deleteExpiredFactors(tx, now));

  const secret = newTotpSecret();
  const uri = otpauthUri(secret, issuer, who.user.email ?? '');
  const factor = await db.begin(async (tx) => {
    const factors = await tx<FactorRow[]>`
      select * from auth.mfa_factors where user_id = ${who.user.id} for update`;
    await checkEnrolment(c, who, name, factors);
    try {
      const [row] = await tx<FactorRow[]>`
        insert into auth.mfa_factors (id, user_id, friendly_name, factor_type, status, created_at, updated_at, secret)
        values (gen_random_uuid(), ${who.user.id}, ${name}, 'totp', 'unverified', ${now}, ${now}, ${secret})
        returning *`;
      return row as FactorRow;
    } catch (err) {
      if ((err as { code?: string }).code === '23505') throw nameConflict(name);
      throw err;
    }
  });
  // GoTrue sends the bare SVG; auth-js prefixes `data:image/svg+xml;utf-8,` itself.
  const qr = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'H', margin: 1 });
  return c.json({
    id: factor.id,
    type: 'totp',
    friendly_name: factor.friendly_name ?? '',
    totp: { qr_code: qr, secret, uri },
  });
}

async function challenge(c: EmuContext) {
  const { factor } = await ownFactor(c);
  limit(c, 'factor_challenge');
  const now = nowDate(c.var.deps);
  const created = await c.var.deps.db.begin(async (tx) => {
    const [row] = await tx<{ id: string; created_at: Date }[]>`
      insert into auth.mfa_challenges (id, factor_id, created_at, ip_address)
      values (gen_random_uuid(), ${factor.id}, ${now}, ${challengeIp(c)}::inet)
      returning id, created_at`;
    // Not a time decision, and GoTrue keeps this column unique: the database's time, as GoTrue
    // writes its own wall-clock time here.
    await tx`update auth.mfa_factors set last_challenged_at = now() where id = ${factor.id}`;
    return row as { id: string; created_at: Date };
  });
  return c.json({
    id: created.id,
    type: factor.factor_type,
    expires_at: epoch(created.created_at) + CHALLENGE_EXPIRY_SECONDS,
  });
}

async function verify(c: EmuContext) {
  const { who, factor } = await ownFactor(c);
  limit(c, 'factor_verify');
  const input = await body(c);
  const code = str(input.code);
  if (!code) throw badRequest('validation_failed', 'Code needs to be non-empty');
  const challengeId = str(input.challenge_id);
  if (challengeId && !isUuid(challengeId))
    throw badRequest('bad_json', 'Could not parse request body as JSON: invalid UUID');
  const ip = challengeIp(c);
  const { db, clock } = c.var.deps;
  const now = nowDate(c.var.deps);

  // An expired challenge is deleted even though the request fails, as in GoTrue.
  const ch = await db.begin((tx) => validateChallenge(tx, factor.id, challengeId, ip, now));
  if ('error' in ch) throw ch.error;
  const valid = verifyTotp(factor.secret ?? '', code, clock.now() / 1000);
  await mfaAttemptHook(c, who.user, factor, valid);
  if (!valid) throw unprocessable('mfa_verification_failed', 'Invalid TOTP code entered');

  const session = await db.begin(async (tx) => {
    // The challenge is spent once: a second verify racing this one finds it used.
    const spent = await tx`update auth.mfa_challenges set verified_at = ${now}
                            where id = ${ch.id} and verified_at is null returning id`;
    if (!spent.length)
      throw unprocessable('mfa_ip_address_mismatch', 'Challenge and verify IP addresses mismatch.');
    await tx`update auth.mfa_factors set status = 'verified', updated_at = ${now}
             where id = ${factor.id} and status <> 'verified'`;
    // Other enrolments of this type that were never finished go once one succeeds.
    await tx`delete from auth.mfa_factors
             where user_id = ${who.user.id} and factor_type = 'totp' and status = 'unverified'`;
    const [user] = await tx<UserRow[]>`select * from auth.users where id = ${who.user.id}`;
    if (!user) throw notFound('user_not_found', 'User not found');
    const tokens = await upgradeSession(
      tx,
      { ...c.var.deps, ip: clientIp(c) },
      user,
      who.sessionId,
      factor.id,
    );
    // Every other session that never reached aal2 ends, as `InvalidateSessionsWithAALLessThan`.
    await tx`delete from auth.sessions where user_id = ${user.id} and (aal is null or aal < 'aal2')`;
    return tokens;
  });
  return c.json(session);
}

async function unenroll(c: EmuContext) {
  const { who, factor } = await ownFactor(c);
  const { db } = c.var.deps;
  if (factor.status === 'verified' && (await sessionAal(db, who.sessionId)) !== 'aal2')
    throw unprocessable('insufficient_aal', 'AAL2 required to unenroll verified factor');
  await db.begin(async (tx) => {
    await tx`delete from auth.mfa_factors where id = ${factor.id}`;
    await downgradeSessions(tx, factor, nowDate(c.var.deps));
  });
  return c.json({ id: factor.id });
}

/** MFA with TOTP: enroll, challenge, verify, unenroll (`/factors…`), as GoTrue's mfa.go. */
export function registerFactors(app: Hono<EmuEnv>): void {
  app.post('/factors', enroll);
  app.post('/factors/:id/challenge', challenge);
  app.post('/factors/:id/verify', verify);
  app.delete('/factors/:id', unenroll);
}
