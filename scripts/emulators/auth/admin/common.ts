import type { Tx } from '../../../../shared/db/client.ts';
import type { EmuContext } from '../context.ts';
import { badRequest, notFound, unprocessable } from '../errors.ts';
import { isUuid } from '../mfa/factors.ts';
import { type Db, type UserRow, userJson } from '../users.ts';
import { parseGoDuration } from './duration.ts';

export const emailExists = () =>
  unprocessable('email_exists', 'A user with this email address has already been registered');

export const str = (v: unknown) => (typeof v === 'string' ? v : '');
export const obj = (v: unknown): Record<string, unknown> | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/** The audience GoTrue's `requestAud` picks: the X-JWT-AUD header, else the default. */
export const requestAud = (c: EmuContext) => c.req.header('x-jwt-aud') || 'authenticated';

/** GoTrue's `loadUser` middleware for `/admin/users/{user_id}…`. */
export async function loadUser(db: Db, id: string): Promise<UserRow> {
  if (!isUuid(id)) throw notFound('validation_failed', 'user_id must be an UUID');
  const [user] = await db<UserRow[]>`select * from auth.users where id = ${id}`;
  if (!user) throw notFound('user_not_found', 'User not found');
  return user;
}

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : v);

/** The user as GoTrue's admin API returns it: `userJson` plus the fields only admins see. */
export async function adminUserJson(db: Db, user: UserRow): Promise<Record<string, unknown>> {
  const out = await userJson(db, user);
  if (user.invited_at) out.invited_at = iso(user.invited_at);
  if (user.phone_confirmed_at) out.phone_confirmed_at = iso(user.phone_confirmed_at);
  if (user.deleted_at) out.deleted_at = iso(user.deleted_at);
  out.is_sso_user = Boolean(user.is_sso_user);
  return out;
}

/** GoTrue's `UpdateUserMetaData`/`UpdateAppMetaData`: a top-level merge where null deletes. */
export function mergeMeta(current: unknown, patch: Record<string, unknown>) {
  const out: Record<string, unknown> = { ...(obj(current) ?? {}) };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}

/** GoTrue's `validatePhone`: `+` and spaces dropped, then E.164 digits. */
export function validPhone(value: string): string {
  const phone = value.replace(/^\+/, '').replaceAll(' ', '');
  if (!/^[1-9]\d{1,14}$/.test(phone))
    throw badRequest('validation_failed', 'Invalid phone number format (E.164 required)');
  return phone;
}

/**
 * `ban_duration` as GoTrue reads it: a Go duration, or "none" to lift the ban. Returns the
 * new `banned_until` (null lifts it), or undefined when no ban was asked for.
 */
export function bannedUntil(value: unknown, now: number): Date | null | undefined {
  const text = str(value);
  if (!text) return undefined;
  let ms = 0;
  if (text !== 'none') {
    try {
      ms = parseGoDuration(text);
    } catch (err) {
      throw badRequest(
        'validation_failed',
        `invalid format for ban duration: ${(err as Error).message}`,
      );
    }
  }
  return ms === 0 ? null : new Date(now + ms);
}

export async function phoneTaken(tx: Tx, phone: string, exceptId = ''): Promise<boolean> {
  const rows =
    await tx`select 1 from auth.users where phone = ${phone} and id::text <> ${exceptId}`;
  return rows.length > 0;
}

export const phoneExists = () =>
  unprocessable('phone_exists', 'Phone number already registered by another user');

/** GoTrue's `createNewIdentity` for the email and phone providers (provider_id = user id). */
export async function addIdentity(
  tx: Tx,
  user: UserRow,
  provider: 'email' | 'phone',
  data: Record<string, unknown>,
): Promise<void> {
  const identityData = { sub: user.id, ...data };
  await tx`
    insert into auth.identities (provider_id, user_id, identity_data, provider, created_at, updated_at)
    values (${user.id}, ${user.id}, ${tx.json(identityData as never)}, ${provider}, now(), now())`;
}
