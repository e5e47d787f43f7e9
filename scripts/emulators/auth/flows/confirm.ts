import { randomBytes } from 'node:crypto';
import type { Tx } from '../../../../shared/db/client.ts';
import { forbidden } from '../errors.ts';
import { clearToken } from '../otp.ts';
import { hashPassword, type UserRow } from '../users.ts';
import type { Match } from './lookup.ts';

/** GoTrue's answer when the first of the two email-change links has been followed. */
export const SINGLE_CONFIRMATION =
  'Confirmation link accepted. Please proceed to confirm link sent to the other email';

async function reload(tx: Tx, id: string): Promise<UserRow> {
  const [user] = await tx<UserRow[]>`select * from auth.users where id = ${id}`;
  if (!user) throw forbidden('user_not_found', 'User not found');
  return user;
}

/** `app_metadata.providers` lists the providers of the user's identities (UpdateAppMetaDataProviders). */
export async function syncProviders(tx: Tx, userId: string): Promise<void> {
  await tx`
    update auth.users set raw_app_meta_data = coalesce(raw_app_meta_data, '{}'::jsonb) || jsonb_build_object(
      'providers', (select coalesce(jsonb_agg(distinct provider), '[]'::jsonb)
                      from auth.identities where user_id = ${userId}))
     where id = ${userId}`;
}

/** GoTrue's User.Confirm: the address is proven, and metadata and identities say so. */
export async function confirmEmail(tx: Tx, user: UserRow): Promise<void> {
  await clearToken(tx, user.id, 'confirmation_token');
  await tx`
    update auth.users
       set email_confirmed_at = now(), updated_at = now(),
           raw_user_meta_data = coalesce(raw_user_meta_data, '{}'::jsonb) || '{"email_verified": true}'::jsonb
     where id = ${user.id}`;
  await tx`
    update auth.identities set identity_data = identity_data || '{"email_verified": true}'::jsonb,
           updated_at = now()
     where user_id = ${user.id} and email = lower(${user.email ?? ''})`;
}

async function confirmSignup(tx: Tx, user: UserRow): Promise<void> {
  // An invited user has no password yet; like GoTrue, give them an unguessable one so the
  // account is complete, and let the app ask them to set their own.
  if (user.invited_at && !user.encrypted_password) {
    const password = await hashPassword(randomBytes(32).toString('base64url'));
    await tx`update auth.users set encrypted_password = ${password} where id = ${user.id}`;
  }
  await confirmEmail(tx, user);
}

/**
 * A secure email change needs both links: the first one only records that half of it is
 * confirmed (`email_change_confirm_status` 1) and returns false; the second swaps the email.
 */
async function confirmEmailChange(tx: Tx, match: Match): Promise<boolean> {
  const { user, hash } = match;
  if ((user.email_change_confirm_status ?? 0) === 0 && user.email) {
    const kind =
      user.email_change_token_current === hash
        ? 'email_change_token_current'
        : 'email_change_token_new';
    await clearToken(tx, user.id, kind);
    await tx`update auth.users set email_change_confirm_status = 1, updated_at = now() where id = ${user.id}`;
    return false;
  }
  const next = String(user.email_change ?? '');
  if (!next) throw forbidden('otp_expired', 'Email link is invalid or has expired');
  await clearToken(tx, user.id, 'email_change_token_current');
  await clearToken(tx, user.id, 'email_change_token_new');
  await tx`
    update auth.users set email = ${next}, email_change = '', email_change_confirm_status = 0,
           updated_at = now()
     where id = ${user.id}`;
  const updated = await tx`
    update auth.identities
       set identity_data = identity_data || ${tx.json({ email: next, email_verified: true })},
           updated_at = now()
     where user_id = ${user.id} and provider = 'email'`;
  if (updated.count === 0) {
    // Confirming an email change gives a user without an email identity one, as GoTrue does.
    const data = { sub: user.id, email: next, email_verified: true, phone_verified: false };
    await tx`
      insert into auth.identities (provider_id, user_id, identity_data, provider, created_at, updated_at)
      values (${user.id}, ${user.id}, ${tx.json(data)}, 'email', now(), now())`;
  }
  if (!user.email_confirmed_at) await confirmEmail(tx, { ...user, email: next });
  return true;
}

/**
 * What a verified token does, by type: sign-ups and invites confirm the address, recovery
 * and magic links consume the recovery token (and confirm a still unconfirmed address), an
 * email change confirms one half or completes. Returns the fresh user, or undefined while an
 * email change waits for its other link.
 */
export async function applyVerification(tx: Tx, match: Match): Promise<UserRow | undefined> {
  const { user } = match;
  switch (match.type) {
    case 'signup':
    case 'invite':
      await confirmSignup(tx, user);
      break;
    case 'recovery':
    case 'magiclink':
      await clearToken(tx, user.id, 'recovery_token');
      if (!user.email_confirmed_at) await confirmEmail(tx, user);
      break;
    case 'email_change':
      if (!(await confirmEmailChange(tx, match))) return undefined;
      break;
  }
  await syncProviders(tx, user.id);
  return reload(tx, user.id);
}
