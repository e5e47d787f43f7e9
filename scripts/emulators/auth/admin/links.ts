import { randomBytes } from 'node:crypto';
import type { Tx } from '../../../../shared/db/client.ts';
import { body, type EmuContext, nowDate, safeRedirect } from '../context.ts';
import { badRequest, notFound } from '../errors.ts';
import { verifyLink } from '../links.ts';
import { issueToken, type TokenKind } from '../otp.ts';
import { requireStrongPassword } from '../password-rules.ts';
import { findUserByEmail, insertEmailUser, type UserRow } from '../users.ts';
import { metadata, validEmail } from '../validate.ts';
import { adminUserJson, emailExists, mergeMeta, str } from './common.ts';

const fresh = async (tx: Tx, id: string) =>
  ((await tx<UserRow[]>`select * from auth.users where id = ${id}`)[0] ?? { id }) as UserRow;

/** An invited user: new and unconfirmed, or an earlier invitee; a confirmed address is taken. */
async function invitee(tx: Tx, email: string, data: Record<string, unknown>) {
  const existing = await findUserByEmail(tx, email);
  if (existing?.email_confirmed_at) throw emailExists();
  return existing ?? insertEmailUser(tx, { email, userMetadata: data, confirmed: false });
}

/** Invites keep their token in `confirmation_token`, stamped with `invited_at`. */
async function inviteToken(tx: Tx, user: UserRow, email: string, otpLength: number, at: Date) {
  const token = await issueToken(tx, user, 'confirmation_token', email, otpLength, at);
  await tx`update auth.users set invited_at = ${at} where id = ${user.id}`;
  return token;
}

/**
 * `POST /invite` (service role): creates the user if needed and mails an invite whose link
 * verifies with `type=invite`. The mail goes out only once the user is committed.
 */
export async function invite(c: EmuContext) {
  const { db, settings, mailbox, limiter } = c.var.deps;
  const input = await body<{ email?: unknown; data?: unknown }>(c);
  const email = validEmail(input.email);
  const redirectTo = safeRedirect(settings, c.req.query('redirect_to'));
  const { user, otp, hash } = await db.begin(async (tx) => {
    const found = await invitee(tx, email, metadata(input.data));
    limiter.email(settings.rateLimits.emailSent);
    const token = await inviteToken(tx, found, email, settings.otpLength, nowDate(c.var.deps));
    return { user: await adminUserJson(tx, await fresh(tx, found.id)), ...token };
  });
  mailbox.send({
    to: email,
    kind: 'invite',
    otp,
    link: verifyLink(settings, hash, 'invite', redirectTo),
  });
  return c.json(user);
}

interface LinkBody {
  type?: unknown;
  email?: unknown;
  new_email?: unknown;
  password?: unknown;
  data?: unknown;
  redirect_to?: unknown;
}

/** Where each link type keeps its token, and the `type` its `/verify` link carries. */
const LINK_TYPES: Record<string, { kind: TokenKind; verifyType: string }> = {
  magiclink: { kind: 'recovery_token', verifyType: 'magiclink' },
  recovery: { kind: 'recovery_token', verifyType: 'recovery' },
  invite: { kind: 'confirmation_token', verifyType: 'invite' },
  signup: { kind: 'confirmation_token', verifyType: 'signup' },
  email_change_current: { kind: 'email_change_token_current', verifyType: 'email_change' },
  email_change_new: { kind: 'email_change_token_new', verifyType: 'email_change' },
};

/** The signup user of generate_link: new (password required), or unconfirmed and updated. */
async function signupUser(tx: Tx, email: string, password: string, data: Record<string, unknown>) {
  const existing = await findUserByEmail(tx, email);
  if (existing?.email_confirmed_at) throw emailExists();
  if (!existing)
    return insertEmailUser(tx, { email, password, userMetadata: data, confirmed: false });
  const merged = mergeMeta(existing.raw_user_meta_data, data);
  await tx`update auth.users set raw_user_meta_data = ${tx.json(merged as never)} where id = ${existing.id}`;
  return existing;
}

/** Email change links: the new address must be free; the token hashes the address it goes to. */
async function emailChange(
  tx: Tx,
  user: UserRow,
  newEmail: unknown,
  kind: TokenKind,
  otpLength: number,
  at: Date,
) {
  const target = validEmail(newEmail);
  const other = await findUserByEmail(tx, target);
  if (other && other.id !== user.id) throw emailExists();
  await tx`update auth.users set email_change = ${target}, email_change_confirm_status = 0 where id = ${user.id}`;
  const address = kind === 'email_change_token_new' ? target : String(user.email);
  return issueToken(tx, user, kind, address, otpLength, at);
}

/**
 * `POST /admin/generate_link`: GoTrue's `adminGenerateLink`. Issues the token the link type
 * needs (creating the user for signup, invite, and magiclink to an unknown address, which
 * becomes a signup) and returns it with the user, flat; no mail is sent.
 */
export async function generateLink(c: EmuContext) {
  const { db, settings } = c.var.deps;
  const input = await body<LinkBody>(c);
  const email = validEmail(input.email);
  const redirectTo = safeRedirect(settings, str(input.redirect_to) || c.req.query('redirect_to'));
  let type = str(input.type);
  let password = str(input.password);
  const known = await findUserByEmail(db, email);
  if (!known && type === 'magiclink') {
    type = 'signup';
    password = randomBytes(32).toString('base64url');
  }
  if (!known && ['recovery', 'email_change_current', 'email_change_new'].includes(type))
    throw notFound('user_not_found', 'User with this email not found');
  const spec = LINK_TYPES[type];
  if (!spec)
    throw badRequest('validation_failed', `Invalid email action link type requested: ${type}`);
  if (type === 'signup' && !known) {
    if (!password) throw badRequest('validation_failed', 'Signup requires a valid password');
    requireStrongPassword(settings, password, [email]);
  }
  const data = metadata(input.data);

  const at = nowDate(c.var.deps);
  const out = await db.begin(async (tx) => {
    let user = known as UserRow;
    let token: { otp: string; hash: string };
    if (type === 'invite') {
      user = await invitee(tx, email, data);
      token = await inviteToken(tx, user, email, settings.otpLength, at);
    } else if (type === 'signup') {
      user = await signupUser(tx, email, password, data);
      token = await issueToken(tx, user, spec.kind, email, settings.otpLength, at);
    } else if (type.startsWith('email_change')) {
      token = await emailChange(tx, user, input.new_email, spec.kind, settings.otpLength, at);
    } else {
      token = await issueToken(tx, user, spec.kind, email, settings.otpLength, at);
    }
    return {
      ...(await adminUserJson(tx, await fresh(tx, user.id))),
      action_link: verifyLink(settings, token.hash, spec.verifyType, redirectTo),
      email_otp: token.otp,
      hashed_token: token.hash,
      verification_type: type,
      redirect_to: redirectTo,
    };
  });
  return c.json(out);
}
