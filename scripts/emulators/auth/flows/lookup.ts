import type { Clock } from '../../../../shared/clock.ts';
import type { Tx } from '../../../../shared/db/client.ts';
import { forbidden } from '../errors.ts';
import { tokenHash } from '../otp.ts';
import type { AuthSettings } from '../settings.ts';
import { isBanned, type UserRow } from '../users.ts';
import type { LinkType } from './mailer.ts';

/** The email verification types; `email` means "a sign-up or a magic link, whichever it is". */
export type VerifyType = LinkType | 'email';

export const VERIFY_TYPES: ReadonlySet<string> = new Set([
  'signup',
  'invite',
  'magiclink',
  'recovery',
  'email_change',
  'email',
]);

/** A token that matched: its user, the concrete type it was issued for, and its hash. */
export interface Match {
  user: UserRow;
  type: LinkType;
  hash: string;
}

/** Which user columns hold each type's token; magic links share the recovery token, as in GoTrue. */
const COLUMNS: Record<VerifyType, string[]> = {
  signup: ['confirmation_token'],
  invite: ['confirmation_token'],
  magiclink: ['recovery_token'],
  recovery: ['recovery_token'],
  email_change: ['email_change_token_current', 'email_change_token_new'],
  email: ['confirmation_token', 'recovery_token'],
};

const SENT_AT: Record<LinkType, string> = {
  signup: 'confirmation_sent_at',
  invite: 'confirmation_sent_at',
  magiclink: 'recovery_sent_at',
  recovery: 'recovery_sent_at',
  email_change: 'email_change_sent_at',
};

const linkExpired = () => forbidden('otp_expired', 'Email link is invalid or has expired');
const otpExpired = () => forbidden('otp_expired', 'Token has expired or is invalid');

/** What a lookup needs: the OTP expiry, and the clock that both issued and now checks it. */
export interface LookupDeps {
  settings: AuthSettings;
  clock: Clock;
}

function fresh(deps: LookupDeps, user: UserRow, type: LinkType): boolean {
  const sentAt = user[SENT_AT[type]];
  const expiresAt = new Date(sentAt).getTime() + deps.settings.otpExpiry * 1000;
  return Boolean(sentAt) && deps.clock.now() <= expiresAt;
}

/** `email` resolves to a sign-up when the confirmation token matched, else to a magic link. */
const resolve = (type: VerifyType, user: UserRow, hash: string): LinkType =>
  type !== 'email' ? type : user.confirmation_token === hash ? 'signup' : 'magiclink';

/**
 * The user a mailed token hash belongs to (`GET /verify`, `POST /verify {token_hash}`).
 * The row is locked, so two clicks on one link cannot both consume it.
 */
export async function findByHash(
  tx: Tx,
  deps: LookupDeps,
  type: VerifyType,
  hash: string,
): Promise<Match> {
  if (!hash) throw linkExpired();
  // Column names come from the constant table above, never from the request.
  const where = COLUMNS[type].map((col) => `${col} = $1`).join(' or ');
  const [user] = await tx.unsafe<UserRow[]>(
    `select * from auth.users where deleted_at is null and (${where}) limit 1 for update`,
    [hash],
  );
  if (!user) throw linkExpired();
  if (isBanned(user, deps.clock)) throw forbidden('user_banned', 'User is banned');
  const resolved = resolve(type, user, hash);
  if (!fresh(deps, user, resolved)) throw linkExpired();
  return { user, type: resolved, hash };
}

/**
 * The user an emailed OTP belongs to (`POST /verify {email, token}`): the hash of address
 * and code must equal a live token of the requested type. For an email change the address
 * is either the current one or the new one, whichever received the code.
 */
export async function findByOtp(
  tx: Tx,
  deps: LookupDeps,
  type: VerifyType,
  email: string,
  otp: string,
): Promise<Match> {
  const hash = tokenHash(email, otp);
  const [user] =
    type === 'email_change'
      ? await tx<UserRow[]>`
          select * from auth.users
           where deleted_at is null
             and ((lower(email) = ${email} and email_change_token_current = ${hash})
               or (lower(email_change) = ${email} and email_change_token_new = ${hash}))
           limit 1 for update`
      : await tx<UserRow[]>`
          select * from auth.users
           where lower(email) = ${email} and is_sso_user = false and deleted_at is null
           limit 1 for update`;
  if (!user) throw otpExpired();
  if (isBanned(user, deps.clock)) throw forbidden('user_banned', 'User is banned');
  const resolved = resolve(type, user, hash);
  const matches = COLUMNS[resolved].some((col) => user[col] && user[col] === hash);
  if (!matches || !fresh(deps, user, resolved)) throw otpExpired();
  return { user, type: resolved, hash };
}
