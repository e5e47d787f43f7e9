import { randomBytes } from 'node:crypto';
import type { Clock } from '../../../shared/clock.ts';
import type { Tx } from '../../../shared/db/client.ts';
import { customizeClaims } from './access-token-hook.ts';
import { badRequest } from './errors.ts';
import type { KeyRing } from './keys.ts';
import type { AuthSettings } from './settings.ts';
import { INSTANCE_ID, isBanned, type UserRow, userJson } from './users.ts';

export type Aal = 'aal1' | 'aal2';
export interface Amr {
  method: string;
  timestamp: number;
}

export interface SessionContext {
  settings: AuthSettings;
  keys: KeyRing;
  clock: Clock;
  /** The caller's address, as hooks see it in `metadata.ip_address`. */
  ip?: string;
}

/** GoTrue's refresh tokens are short random strings, not JWTs. */
const newRefreshToken = () => randomBytes(9).toString('base64url');

const epoch = (d: Date | string) => Math.floor(new Date(d).getTime() / 1000);

/** Signs an access token for a session, running the custom access token hook if enabled. */
async function accessToken(
  tx: Tx,
  ctx: SessionContext,
  user: UserRow,
  session: { id: string; aal: Aal },
  method: string,
) {
  const amrRows = await tx`
    select authentication_method, updated_at from auth.mfa_amr_claims
     where session_id = ${session.id} order by updated_at desc`;
  const iat = Math.floor(ctx.clock.now() / 1000);
  const exp = iat + ctx.settings.jwtExpiry;
  const base: Record<string, unknown> = {
    iss: ctx.settings.externalUrl,
    sub: user.id,
    aud: user.aud ?? 'authenticated',
    exp,
    iat,
    email: user.email ?? '',
    phone: user.phone ?? '',
    app_metadata: user.raw_app_meta_data ?? {},
    user_metadata: user.raw_user_meta_data ?? {},
    role: user.role ?? 'authenticated',
    aal: session.aal,
    amr: amrRows.map((r) => ({ method: r.authentication_method, timestamp: epoch(r.updated_at) })),
    session_id: session.id,
    is_anonymous: user.is_anonymous ?? false,
  };
  const claims = await customizeClaims(tx, ctx, user.id, base, method);
  return { token: await ctx.keys.sign(claims), exp: Number(claims.exp ?? exp) };
}

async function sessionResponse(
  tx: Tx,
  ctx: SessionContext,
  user: UserRow,
  session: { id: string; aal: Aal },
  refreshToken: string,
  method: string,
) {
  const { token, exp } = await accessToken(tx, ctx, user, session, method);
  return {
    access_token: token,
    token_type: 'bearer',
    expires_in: ctx.settings.jwtExpiry,
    expires_at: exp,
    refresh_token: refreshToken,
    user: await userJson(tx, user),
  };
}

/**
 * Starts a session for a signed-in user: a session row, its first refresh token and the
 * authentication method as an AMR claim, then the token response.
 */
export async function startSession(
  tx: Tx,
  ctx: SessionContext,
  user: UserRow,
  opts: { method: string; userAgent?: string; ip?: string },
) {
  const now = new Date(ctx.clock.now());
  const [session] = await tx<{ id: string; aal: Aal }[]>`
    insert into auth.sessions (id, user_id, created_at, updated_at, aal, user_agent, ip)
    values (gen_random_uuid(), ${user.id}, ${now}, ${now}, 'aal1', ${opts.userAgent ?? null}, ${opts.ip ?? null})
    returning id, aal`;
  if (!session) throw new Error('could not create a session');
  await tx`
    insert into auth.mfa_amr_claims (id, session_id, created_at, updated_at, authentication_method)
    values (gen_random_uuid(), ${session.id}, ${now}, ${now}, ${opts.method})`;
  const refresh = newRefreshToken();
  await tx`
    insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, session_id)
    values (${INSTANCE_ID}, ${refresh}, ${user.id}, false, ${now}, ${now}, ${session.id})`;
  const [fresh] = await tx<UserRow[]>`
    update auth.users set last_sign_in_at = ${now}, updated_at = ${now} where id = ${user.id} returning *`;
  await tx`update auth.identities set last_sign_in_at = ${now} where user_id = ${user.id}`;
  return sessionResponse(
    tx,
    { ...ctx, ip: opts.ip ?? ctx.ip },
    fresh ?? user,
    session,
    refresh,
    opts.method,
  );
}

/**
 * Raises a session to aal2 after a verified MFA challenge and returns fresh tokens
 * (a new refresh token; the old ones stay valid for their reuse window).
 */
export async function upgradeSession(
  tx: Tx,
  ctx: SessionContext,
  user: UserRow,
  sessionId: string,
  factorId: string,
) {
  const now = new Date(ctx.clock.now());
  const [session] = await tx<{ id: string; aal: Aal }[]>`
    update auth.sessions set aal = 'aal2', factor_id = ${factorId}, updated_at = ${now}
     where id = ${sessionId} returning id, aal`;
  if (!session) throw badRequest('session_not_found', 'Session not found');
  await tx`
    insert into auth.mfa_amr_claims (id, session_id, created_at, updated_at, authentication_method)
    values (gen_random_uuid(), ${sessionId}, ${now}, ${now}, 'totp')
    on conflict (session_id, authentication_method) do update set updated_at = ${now}`;
  await tx`update auth.refresh_tokens set revoked = true, updated_at = ${now} where session_id = ${sessionId} and not revoked`;
  const refresh = newRefreshToken();
  await tx`
    insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, session_id)
    values (${INSTANCE_ID}, ${refresh}, ${user.id}, false, ${now}, ${now}, ${sessionId})`;
  return sessionResponse(tx, ctx, user, session, refresh, 'totp');
}

const notFound = () =>
  badRequest('refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
export const alreadyUsed = () =>
  badRequest('refresh_token_already_used', 'Invalid Refresh Token: Already Used');

/**
 * The refresh_token grant with rotation. A revoked token presented again within the reuse
 * interval gets the session's current token back (two tabs refreshing at once); outside it,
 * the reuse is taken as theft and the whole session is ended: then it returns `undefined`,
 * so the caller can commit the revocation before answering with the error.
 */
export async function refreshSession(tx: Tx, ctx: SessionContext, token: string) {
  const [row] = await tx`
    select rt.*, s.aal, s.id as sid from auth.refresh_tokens rt
      join auth.sessions s on s.id = rt.session_id
     where rt.token = ${token}
     for update of rt`;
  if (!row) throw notFound();
  const [user] = await tx<
    UserRow[]
  >`select * from auth.users where id = ${row.user_id}::uuid and deleted_at is null`;
  if (!user) throw notFound();
  if (isBanned(user, ctx.clock)) throw badRequest('user_banned', 'User is banned');
  const session = { id: row.sid as string, aal: row.aal as Aal };
  const now = new Date(ctx.clock.now());

  let next: string;
  if (row.revoked) {
    // The revocation time is the token's `updated_at`, written with this same clock.
    const revokedAt = new Date(row.updated_at).getTime();
    const withinReuse = now.getTime() - revokedAt < ctx.settings.refreshTokenReuseInterval * 1000;
    const [active] = await tx`
      select token from auth.refresh_tokens where session_id = ${session.id} and not revoked
       order by id desc limit 1`;
    if (!withinReuse || !active || !ctx.settings.refreshTokenRotation) {
      await tx`delete from auth.sessions where id = ${session.id}`;
      return undefined;
    }
    next = active.token;
  } else if (ctx.settings.refreshTokenRotation) {
    await tx`update auth.refresh_tokens set revoked = true, updated_at = ${now} where id = ${row.id}`;
    next = newRefreshToken();
    await tx`
      insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, parent, session_id)
      values (${INSTANCE_ID}, ${next}, ${user.id}, false, ${now}, ${now}, ${token}, ${session.id})`;
  } else {
    next = token;
  }
  await tx`update auth.sessions set refreshed_at = ${now}, updated_at = ${now} where id = ${session.id}`;
  return sessionResponse(tx, ctx, user, session, next, 'token_refresh');
}
