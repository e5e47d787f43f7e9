import { createHash } from 'node:crypto';
import type { Tx } from '../../../../shared/db/client.ts';
import { body, type EmuContext } from '../context.ts';
import { requireStrongPassword } from '../password-rules.ts';
import { findUserByEmail, hashPassword, type UserRow } from '../users.ts';
import { validEmail } from '../validate.ts';
import {
  addIdentity,
  adminUserJson,
  bannedUntil,
  emailExists,
  loadUser,
  mergeMeta,
  obj,
  phoneExists,
  phoneTaken,
  str,
  validPhone,
} from './common.ts';
import type { AdminUserBody } from './create.ts';

/** Sets the contact address and its identity, creating the identity if the user had none. */
async function setContact(
  tx: Tx,
  user: UserRow,
  provider: 'email' | 'phone',
  value: string,
  verified: boolean,
) {
  const patch = { [provider]: value, [`${provider}_verified`]: verified };
  const updated = await tx`
    update auth.identities set identity_data = identity_data || ${tx.json(patch)}, updated_at = now()
     where user_id = ${user.id} and provider = ${provider} returning id`;
  if (!updated.length) {
    await addIdentity(tx, user, provider, {
      email_verified: false,
      phone_verified: false,
      ...patch,
    });
  }
  if (provider === 'email') await tx`update auth.users set email = ${value} where id = ${user.id}`;
  else await tx`update auth.users set phone = ${value} where id = ${user.id}`;
}

/**
 * Tokens issued before a password or contact change can no longer be trusted (GoTrue's
 * `UpdatePassword` and `ClearAllPendingTokens`).
 */
async function clearPendingTokens(tx: Tx, userId: string, contactChanged: boolean) {
  await tx`
    update auth.users set confirmation_token = '', confirmation_sent_at = null,
           recovery_token = '', recovery_sent_at = null,
           email_change_token_current = '', email_change_token_new = '', email_change_sent_at = null,
           phone_change_token = '', phone_change_sent_at = null,
           reauthentication_token = '', reauthentication_sent_at = null
     where id = ${userId}`;
  if (contactChanged) {
    await tx`update auth.users set email_change = '', email_change_confirm_status = 0, phone_change = ''
             where id = ${userId}`;
  }
  await tx`delete from auth.one_time_tokens where user_id = ${userId}`;
}

/**
 * `PUT /admin/users/{id}`: GoTrue's `adminUserUpdate`. A new password signs the user out
 * everywhere; a ban only sets `banned_until` (GoTrue leaves sessions alone, and sign-in and
 * refresh refuse a banned user).
 */
export async function updateUser(c: EmuContext, id: string) {
  const { db, settings } = c.var.deps;
  const user = await loadUser(db, id);
  const input = await body<AdminUserBody>(c);
  const email = str(input.email) ? validEmail(input.email) : '';
  const phone = str(input.phone) ? validPhone(str(input.phone)) : '';
  const ban = bannedUntil(input.ban_duration, c.var.deps.clock.now());
  const password =
    input.password == null
      ? undefined
      : await hashPassword(
          requireStrongPassword(settings, String(input.password), [user.email ?? '']),
        );
  const emailConfirm = input.email_confirm === true;
  const phoneConfirm = input.phone_confirm === true;

  const out = await db.begin(async (tx) => {
    const role = str(input.role).trim();
    if (role) await tx`update auth.users set role = ${role} where id = ${user.id}`;
    let userMeta = obj(user.raw_user_meta_data) ?? {};
    if (emailConfirm) {
      await tx`update auth.users set email_confirmed_at = now(), confirmation_token = '' where id = ${user.id}`;
      await tx`delete from auth.one_time_tokens where user_id = ${user.id}`;
      userMeta = mergeMeta(userMeta, { email_verified: true });
    }
    if (phoneConfirm)
      await tx`update auth.users set phone_confirmed_at = now(), confirmation_token = '' where id = ${user.id}`;
    if (password) {
      await tx`update auth.users set encrypted_password = ${password} where id = ${user.id}`;
      await clearPendingTokens(tx, user.id, false);
      await tx`delete from auth.sessions where user_id = ${user.id}`;
    }
    if (email) {
      const other = await findUserByEmail(tx, email);
      if (other && other.id !== user.id) throw emailExists();
      await setContact(tx, user, 'email', email, emailConfirm);
    }
    if (phone) {
      if (await phoneTaken(tx, phone, user.id)) throw phoneExists();
      await setContact(tx, user, 'phone', phone, phoneConfirm);
    }
    if (email || phone) await clearPendingTokens(tx, user.id, true);
    if ((email && emailConfirm) || (phone && phoneConfirm))
      await tx`update auth.users set is_anonymous = false where id = ${user.id}`;
    const appPatch = obj(input.app_metadata);
    const appMeta = appPatch ? mergeMeta(user.raw_app_meta_data, appPatch) : user.raw_app_meta_data;
    const userPatch = obj(input.user_metadata);
    if (userPatch) userMeta = mergeMeta(userMeta, userPatch);
    const [fresh] = await tx<UserRow[]>`
      update auth.users set raw_app_meta_data = ${tx.json((appMeta ?? {}) as never)},
             raw_user_meta_data = ${tx.json(userMeta as never)},
             banned_until = ${ban === undefined ? user.banned_until : ban}, updated_at = now()
       where id = ${user.id} returning *`;
    return adminUserJson(tx, fresh as UserRow);
  });
  return c.json(out);
}

/** GoTrue's obfuscation for soft-deleted users: base64url(SHA-256(user id + value)). */
const obfuscate = (id: string, value: string) =>
  createHash('sha256')
    .update(id + value)
    .digest('base64url');

/** GoTrue's `SoftDeleteUser` + `SoftDeleteUserIdentities`, then factors and sessions go. */
async function softDelete(tx: Tx, user: UserRow) {
  if (user.deleted_at) return;
  await tx`
    update auth.users set
      email = ${obfuscate(user.id, user.email ?? '')},
      phone = ${obfuscate(user.id, user.phone ?? '').slice(0, 15)},
      email_change = ${obfuscate(user.id, user.email_change ?? '')},
      phone_change = ${obfuscate(user.id, user.phone_change ?? '').slice(0, 15)},
      encrypted_password = '', confirmation_token = '', recovery_token = '',
      email_change_token_current = '', email_change_token_new = '', phone_change_token = '',
      raw_user_meta_data = '{}', raw_app_meta_data = '{}', deleted_at = now(), updated_at = now()
     where id = ${user.id}`;
  await tx`delete from auth.one_time_tokens where user_id = ${user.id}`;
  const identities =
    await tx`select id, provider, provider_id from auth.identities where user_id = ${user.id}`;
  for (const i of identities) {
    await tx`update auth.identities set identity_data = '{}',
             provider_id = ${obfuscate(user.id, `${i.provider}:${i.provider_id}`)} where id = ${i.id}`;
  }
  await tx`delete from auth.mfa_factors where user_id = ${user.id}`;
  await tx`delete from auth.sessions where user_id = ${user.id}`;
}

/**
 * `DELETE /admin/users/{id}`: a hard delete removes the row (sessions, identities and
 * factors cascade); `should_soft_delete` obfuscates it instead. GoTrue answers `{}`.
 */
export async function deleteUser(c: EmuContext, id: string) {
  const { db } = c.var.deps;
  const user = await loadUser(db, id);
  const input = await body<{ should_soft_delete?: unknown }>(c);
  await db.begin(async (tx) => {
    if (input.should_soft_delete === true) await softDelete(tx, user);
    else await tx`delete from auth.users where id = ${user.id}`;
  });
  return c.json({});
}
