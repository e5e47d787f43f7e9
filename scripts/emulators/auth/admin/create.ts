import { body, type EmuContext } from '../context.ts';
import { badRequest } from '../errors.ts';
import { isUuid } from '../mfa/factors.ts';
import { findUserByEmail, hashPassword, INSTANCE_ID, type UserRow } from '../users.ts';
import { validEmail } from '../validate.ts';
import {
  addIdentity,
  adminUserJson,
  bannedUntil,
  emailExists,
  mergeMeta,
  obj,
  phoneExists,
  phoneTaken,
  requestAud,
  str,
  validPhone,
} from './common.ts';

/** The body of `POST /admin/users` and `PUT /admin/users/{id}` (GoTrue's AdminUserParams). */
export interface AdminUserBody {
  id?: unknown;
  aud?: unknown;
  role?: unknown;
  email?: unknown;
  phone?: unknown;
  password?: unknown;
  password_hash?: unknown;
  email_confirm?: unknown;
  phone_confirm?: unknown;
  user_metadata?: unknown;
  app_metadata?: unknown;
  ban_duration?: unknown;
}

const BCRYPT = /^\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{53}$/;
const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/**
 * The stored password: a supplied bcrypt hash, a hashed plain password, or none. GoTrue
 * checks no strength here (an admin decides), only bcrypt's 72-byte limit.
 */
async function passwordColumn(input: AdminUserBody): Promise<string> {
  const hash = str(input.password_hash);
  const password = str(input.password);
  if (input.password != null && hash)
    throw badRequest('validation_failed', 'Only a password or a password hash should be provided');
  if (hash) {
    if (!BCRYPT.test(hash)) throw badRequest('validation_failed', 'Invalid password hash');
    return hash;
  }
  if (!password) return '';
  if (new TextEncoder().encode(password).length > 72)
    throw badRequest('validation_failed', 'bcrypt: password length exceeds 72 bytes');
  return hashPassword(password);
}

function customId(value: unknown): string | undefined {
  const id = str(value);
  if (!id) return undefined;
  if (!isUuid(id)) throw badRequest('validation_failed', 'ID must conform to the uuid v4 format');
  if (id === NIL_UUID) throw badRequest('validation_failed', 'ID cannot be a nil uuid');
  return id.toLowerCase();
}

/**
 * `POST /admin/users`: GoTrue's `adminUserCreate`. The admin decides confirmation, role,
 * metadata and a ban; no mail is sent. A confirmed email also sets `email_verified` in the
 * user metadata, as GoTrue's `Confirm` does.
 */
export async function createUser(c: EmuContext) {
  const input = await body<AdminUserBody>(c);
  const { db } = c.var.deps;
  const aud = str(input.aud) || requestAud(c);
  const rawEmail = str(input.email);
  const rawPhone = str(input.phone);
  if (!rawEmail && !rawPhone)
    throw badRequest('validation_failed', 'Cannot create a user without either an email or phone');
  const email = rawEmail ? validEmail(rawEmail) : '';
  const phone = rawPhone ? validPhone(rawPhone) : '';
  const providers = [...(email ? ['email'] : []), ...(phone ? ['phone'] : [])];
  const encrypted = await passwordColumn(input);
  const id = customId(input.id);
  const ban = bannedUntil(input.ban_duration, c.var.deps.clock.now());
  const emailConfirm = input.email_confirm === true;
  const phoneConfirm = input.phone_confirm === true;
  const appMeta = mergeMeta({ provider: providers[0], providers }, obj(input.app_metadata) ?? {});
  const userMeta = { ...(obj(input.user_metadata) ?? {}) };
  if (emailConfirm) userMeta.email_verified = true;
  const role = str(input.role).trim() || 'authenticated';

  const user = await db.begin(async (tx) => {
    if (email && (await findUserByEmail(tx, email))) throw emailExists();
    if (phone && (await phoneTaken(tx, phone))) throw phoneExists();
    const [row] = await tx<UserRow[]>`
      insert into auth.users (
        instance_id, id, aud, role, email, phone, encrypted_password,
        email_confirmed_at, phone_confirmed_at, raw_app_meta_data, raw_user_meta_data,
        banned_until, created_at, updated_at,
        confirmation_token, recovery_token, email_change_token_new, email_change)
      values (
        ${INSTANCE_ID}, coalesce(${id ?? null}::uuid, gen_random_uuid()), ${aud}, ${role},
        ${email || null}, ${phone || null}, ${encrypted},
        ${emailConfirm && email ? new Date() : null}, ${phoneConfirm && phone ? new Date() : null},
        ${tx.json(appMeta as never)}, ${tx.json(userMeta as never)},
        ${ban ?? null}, now(), now(), '', '', '', '')
      returning *`;
    if (!row) throw new Error('insert into auth.users returned nothing');
    if (email) {
      await addIdentity(tx, row, 'email', {
        email,
        email_verified: emailConfirm,
        phone_verified: false,
      });
    }
    if (phone) {
      await addIdentity(tx, row, 'phone', {
        phone,
        email_verified: false,
        phone_verified: phoneConfirm,
      });
    }
    return adminUserJson(tx, row);
  });
  return c.json(user);
}
