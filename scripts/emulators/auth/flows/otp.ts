import type { Hono } from 'hono';
import type { Tx } from '../../../../shared/db/client.ts';
import { body, type EmuContext, type EmuEnv, limit, nowDate, safeRedirect } from '../context.ts';
import { badRequest, unprocessable } from '../errors.ts';
import { readChallenge } from '../pkce.ts';
import { findUserByEmail, insertEmailUser, type UserRow } from '../users.ts';
import { metadata, validEmail } from '../validate.ts';
import { deliver, type PendingMail, recordFlow, tokenMail } from './mailer.ts';

type Body = Record<string, unknown>;
type Pkce = ReturnType<typeof readChallenge>;
const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** A sign-up confirmation (token in `confirmation_token`, link type `signup`). */
async function confirmationMail(tx: Tx, c: EmuContext, user: UserRow, pkce: Pkce) {
  await recordFlow(tx, nowDate(c.var.deps), user.id, 'signup', pkce);
  return tokenMail(tx, c.var.deps, user, {
    kind: 'confirmation_token',
    mail: 'confirmation',
    address: String(user.email),
    link: {
      type: 'signup',
      redirectTo: safeRedirect(c.var.deps.settings, c.req.query('redirect_to')),
      pkce: Boolean(pkce),
    },
  });
}

/** A magic link; GoTrue keeps its token in `recovery_token`, as a recovery with another template. */
async function magicLinkMail(tx: Tx, c: EmuContext, user: UserRow, pkce: Pkce) {
  await recordFlow(tx, nowDate(c.var.deps), user.id, 'magiclink', pkce);
  return tokenMail(tx, c.var.deps, user, {
    kind: 'recovery_token',
    mail: 'magiclink',
    address: String(user.email),
    link: {
      type: 'magiclink',
      redirectTo: safeRedirect(c.var.deps.settings, c.req.query('redirect_to')),
      pkce: Boolean(pkce),
    },
  });
}

/**
 * GoTrue's MagicLink: a confirmed user gets a magic link; an unknown address is signed up
 * (when allowed) and, like an unconfirmed one, gets the sign-up confirmation instead, whose
 * link signs in just the same. With autoconfirm the new user is confirmed at once and gets
 * the magic link.
 */
async function magicLink(c: EmuContext, input: Body, createUser: boolean) {
  const { db, settings, mailbox } = c.var.deps;
  if (!str(input.email)) {
    throw unprocessable('validation_failed', 'Password recovery requires an email');
  }
  const email = validEmail(input.email);
  const pkce = readChallenge(input);
  const mails = await db.begin(async (tx): Promise<PendingMail[]> => {
    let user = await findUserByEmail(tx, email);
    if (!user && !createUser) throw unprocessable('otp_disabled', 'Signups not allowed for otp');
    if (!user) {
      if (settings.disableSignup) {
        throw unprocessable('signup_disabled', 'Signups not allowed for this instance');
      }
      user = await insertEmailUser(tx, {
        email,
        userMetadata: metadata(input.data),
        confirmed: settings.autoconfirm,
      });
    }
    if (!user.email_confirmed_at) return [await confirmationMail(tx, c, user, pkce)];
    return [await magicLinkMail(tx, c, user, pkce)];
  });
  deliver(mailbox, mails);
  return c.json({});
}

const RESEND_TYPES = ['signup', 'email_change', 'sms', 'phone_change'];

/**
 * `POST /resend`: the sign-up confirmation or both email-change mails again, as implicit
 * links (GoTrue does not do PKCE here). Unknown or already confirmed addresses get `{}`
 * and no mail.
 */
async function resend(c: EmuContext) {
  const { db, settings, mailbox } = c.var.deps;
  const input = await body(c);
  const type = str(input.type);
  const rawEmail = str(input.email);
  const phone = str(input.phone);
  if (!RESEND_TYPES.includes(type)) {
    throw badRequest(
      'validation_failed',
      'Missing one of these types: signup, email_change, sms, phone_change',
    );
  }
  if (!rawEmail && type === 'signup') {
    throw badRequest('validation_failed', 'Type provided requires an email address');
  }
  if (!phone && type === 'sms') {
    throw badRequest('validation_failed', 'Type provided requires a phone number');
  }
  if (rawEmail && phone) {
    throw badRequest(
      'validation_failed',
      'Only an email address or phone number should be provided.',
    );
  }
  if (phone || type === 'sms' || type === 'phone_change') {
    throw badRequest('phone_provider_disabled', 'Phone logins are disabled');
  }
  if (!rawEmail) throw badRequest('validation_failed', 'Missing email address or phone number');
  const email = validEmail(rawEmail);
  const redirectTo = safeRedirect(settings, c.req.query('redirect_to'));

  const mails = await db.begin(async (tx): Promise<PendingMail[]> => {
    const user = await findUserByEmail(tx, email);
    if (!user) return [];
    if (type === 'signup') {
      return user.email_confirmed_at ? [] : [await confirmationMail(tx, c, user, undefined)];
    }
    const next = String(user.email_change ?? '');
    if (!next) return [];
    await tx`update auth.users set email_change_confirm_status = 0 where id = ${user.id}`;
    const link = { type: 'email_change' as const, redirectTo, pkce: false };
    const out = [
      await tokenMail(tx, c.var.deps, user, {
        kind: 'email_change_token_new',
        mail: 'email_change',
        address: next,
        link,
      }),
    ];
    if (user.email) {
      out.push(
        await tokenMail(tx, c.var.deps, user, {
          kind: 'email_change_token_current',
          mail: 'email_change',
          address: user.email,
          link,
        }),
      );
    }
    return out;
  });
  deliver(mailbox, mails);
  return c.json({});
}

/** `POST /otp` (email only; this emulator has no SMS), `POST /magiclink` and `POST /resend`. */
export function registerOtp(app: Hono<EmuEnv>): void {
  app.post('/otp', async (c) => {
    limit(c, 'otp');
    const input = await body(c);
    const email = str(input.email);
    const phone = str(input.phone);
    if (email && phone) {
      throw badRequest(
        'validation_failed',
        'Only an email address or phone number should be provided',
      );
    }
    if (phone) throw badRequest('phone_provider_disabled', 'Unsupported phone provider');
    if (!email) throw badRequest('validation_failed', 'One of email or phone must be set');
    return magicLink(c, input, input.create_user !== false);
  });

  app.post('/magiclink', async (c) => {
    limit(c, 'magiclink');
    return magicLink(c, await body(c), true);
  });
  app.post('/resend', async (c) => {
    limit(c, 'resend');
    return resend(c);
  });
}
