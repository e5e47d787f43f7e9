import type { Clock } from '../../../../shared/clock.ts';
import type { Tx } from '../../../../shared/db/client.ts';
import { forbidden, unprocessable } from '../errors.ts';
import { type LocalProfile, PROVIDER } from '../oauth-provider.ts';
import type { AuthSettings } from '../settings.ts';
import { findUserByEmail, findUserById, INSTANCE_ID, isBanned, type UserRow } from '../users.ts';
import { confirmEmail, syncProviders } from './confirm.ts';

type Json = Record<string, string | boolean>;

async function insertProviderUser(tx: Tx, email: string, data: Json): Promise<string> {
  const appMeta = { provider: PROVIDER, providers: [PROVIDER] };
  const [user] = await tx<{ id: string }[]>`
    insert into auth.users (
      instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
      raw_app_meta_data, raw_user_meta_data, created_at, updated_at,
      confirmation_token, recovery_token, email_change_token_new, email_change)
    values (
      ${INSTANCE_ID}, gen_random_uuid(), 'authenticated', 'authenticated', ${email}, '', null,
      ${tx.json(appMeta)}, ${tx.json(data)}, now(), now(), '', '', '', '')
    returning id`;
  if (!user) throw new Error('insert into auth.users returned nothing');
  return user.id;
}

async function insertIdentity(tx: Tx, userId: string, sub: string, data: Json): Promise<void> {
  await tx`
    insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
    values (${sub}, ${userId}, ${tx.json(data)}, ${PROVIDER}, now(), now(), now())`;
}

const mergeUserMeta = (tx: Tx, userId: string, data: Json) =>
  tx`update auth.users set raw_user_meta_data = coalesce(raw_user_meta_data, '{}'::jsonb) || ${tx.json(data)},
            updated_at = now()
      where id = ${userId}`;

/**
 * GoTrue's automatic account linking for a provider that verified the email: the user who
 * already has this identity, else the user with this email (the identity is linked), else
 * a new user. An unconfirmed account that matches by email may have been registered by
 * someone else, so it loses its password and other identities before the provider's proof
 * confirms it (GoTrue's RemoveUnconfirmedIdentities).
 */
export async function userFromProfile(
  tx: Tx,
  deps: { settings: AuthSettings; clock: Clock },
  profile: LocalProfile,
): Promise<UserRow> {
  const { settings } = deps;
  const data: Json = {
    iss: `${settings.externalUrl}/oauth-provider`,
    sub: profile.sub,
    provider_id: profile.sub,
    name: profile.name,
    full_name: profile.name,
    email: profile.email,
    email_verified: true,
    phone_verified: false,
  };
  const [identity] = await tx<{ user_id: string }[]>`
    select user_id from auth.identities where provider = ${PROVIDER} and provider_id = ${profile.sub}`;
  let userId: string;
  if (identity) {
    userId = identity.user_id;
    await tx`update auth.identities set identity_data = ${tx.json(data)}, last_sign_in_at = now(), updated_at = now()
             where provider = ${PROVIDER} and provider_id = ${profile.sub}`;
    await mergeUserMeta(tx, userId, data);
  } else {
    const existing = await findUserByEmail(tx, profile.email);
    if (existing) {
      userId = existing.id;
      await insertIdentity(tx, userId, profile.sub, data);
      await mergeUserMeta(tx, userId, data);
    } else {
      if (settings.disableSignup) {
        throw unprocessable('signup_disabled', 'Signups not allowed for this instance');
      }
      userId = await insertProviderUser(tx, profile.email, data);
      await insertIdentity(tx, userId, profile.sub, data);
    }
  }
  let user = await findUserById(tx, userId);
  if (!user) throw forbidden('user_not_found', 'User not found');
  if (isBanned(user, deps.clock)) throw forbidden('user_banned', 'User is banned');
  if (!user.email_confirmed_at) {
    await tx`update auth.users set encrypted_password = '', raw_user_meta_data = ${tx.json(data)} where id = ${userId}`;
    await tx`delete from auth.identities
              where user_id = ${userId} and not (provider = ${PROVIDER} and provider_id = ${profile.sub})`;
    await confirmEmail(tx, user);
  }
  await syncProviders(tx, userId);
  user = await findUserById(tx, userId);
  if (!user) throw forbidden('user_not_found', 'User not found');
  return user;
}
