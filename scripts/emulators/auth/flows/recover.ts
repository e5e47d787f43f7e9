import type { Hono } from 'hono';
import { body, type EmuEnv, limit, nowDate, requireUser, safeRedirect } from '../context.ts';
import { badRequest, unprocessable } from '../errors.ts';
import { readChallenge } from '../pkce.ts';
import { findUserByEmail } from '../users.ts';
import { validEmail } from '../validate.ts';
import { deliver, type PendingMail, recordFlow, tokenMail } from './mailer.ts';

interface RecoverBody {
  email?: unknown;
  code_challenge?: unknown;
  code_challenge_method?: unknown;
}

/**
 * `POST /recover` and `GET /reauthenticate`: the two mails that prove control of the
 * address of an existing account.
 */
export function registerRecover(app: Hono<EmuEnv>): void {
  // Answers `{}` whether or not the address has an account, so it cannot be used to find
  // out who is registered.
  app.post('/recover', async (c) => {
    limit(c, 'recover');
    const { db, settings, mailbox } = c.var.deps;
    const input = await body<RecoverBody>(c);
    if (typeof input.email !== 'string' || !input.email) {
      throw badRequest('validation_failed', 'Password recovery requires an email');
    }
    const email = validEmail(input.email);
    const pkce = readChallenge(input);
    const redirectTo = safeRedirect(settings, c.req.query('redirect_to'));
    const mails = await db.begin(async (tx): Promise<PendingMail[]> => {
      const user = await findUserByEmail(tx, email);
      if (!user?.email) return [];
      await recordFlow(tx, nowDate(c.var.deps), user.id, 'recovery', pkce);
      const mail = await tokenMail(tx, c.var.deps, user, {
        kind: 'recovery_token',
        mail: 'recovery',
        address: user.email,
        link: { type: 'recovery', redirectTo, pkce: Boolean(pkce) },
      });
      return [mail];
    });
    deliver(mailbox, mails);
    return c.json({});
  });

  // The code it mails is the `nonce` that `PUT /user` wants before a sensitive change.
  app.get('/reauthenticate', async (c) => {
    const { user } = await requireUser(c);
    const { db, mailbox } = c.var.deps;
    if (!user.email && !user.phone) {
      throw badRequest(
        'validation_failed',
        'Reauthentication requires the user to have an email or a phone number',
      );
    }
    if (!user.email) throw badRequest('phone_provider_disabled', 'Unsupported phone provider');
    if (!user.email_confirmed_at) {
      throw unprocessable('email_not_confirmed', 'Please verify your email first.');
    }
    const address = user.email;
    const mail = await db.begin((tx) =>
      tokenMail(tx, c.var.deps, user, {
        kind: 'reauthentication_token',
        mail: 'reauthentication',
        address,
      }),
    );
    deliver(mailbox, [mail]);
    return c.json({});
  });
}
