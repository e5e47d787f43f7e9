import { randomUUID } from 'node:crypto';
import type { Hono } from 'hono';
import { body, clientIp, type EmuEnv, safeRedirect } from '../context.ts';
import { unprocessable } from '../errors.ts';
import { verifyLink } from '../links.ts';
import { issueToken } from '../otp.ts';
import { createFlowState, readChallenge } from '../pkce.ts';
import { startSession } from '../sessions.ts';
import { findUserByEmail, insertEmailUser, userJson } from '../users.ts';
import { metadata, strongPassword, validEmail } from '../validate.ts';

interface SignupBody {
  email?: unknown;
  password?: unknown;
  data?: unknown;
  code_challenge?: unknown;
  code_challenge_method?: unknown;
}

/**
 * `POST /signup`. With confirmations on, a new user gets a confirmation mail and the
 * response is the user; with autoconfirm, a session. Signing up again with a confirmed
 * address answers like a new sign-up (with a throwaway id), so it reveals nothing.
 */
export function registerSignup(app: Hono<EmuEnv>): void {
  app.post('/signup', async (c) => {
    const { db, settings, limiter, mailbox } = c.var.deps;
    const input = await body<SignupBody>(c);
    if (settings.disableSignup)
      throw unprocessable('signup_disabled', 'Signups not allowed for this instance');
    const email = validEmail(input.email);
    const password = strongPassword(settings, input.password);
    const pkce = readChallenge(input);
    const ip = clientIp(c);
    limiter.check('sign_in_sign_ups', ip, settings.rateLimits.signInSignUps);
    const redirectTo = safeRedirect(settings, c.req.query('redirect_to'));

    const response = await db.begin(async (tx) => {
      const existing = await findUserByEmail(tx, email);
      if (existing?.email_confirmed_at) {
        if (settings.autoconfirm)
          throw unprocessable('user_already_exists', 'User already registered');
        const decoy = await userJson(tx, { ...existing, id: randomUUID(), raw_user_meta_data: {} });
        return { ...decoy, identities: [], created_at: new Date().toISOString() };
      }
      const user =
        existing ??
        (await insertEmailUser(tx, {
          email,
          password,
          userMetadata: metadata(input.data),
          confirmed: settings.autoconfirm,
        }));
      if (settings.autoconfirm) {
        return startSession(tx, c.var.deps, user, {
          method: 'password',
          userAgent: c.req.header('user-agent'),
          ip,
        });
      }
      limiter.check(
        'email_sent',
        'global',
        settings.rateLimits.emailSent,
        'over_email_send_rate_limit',
      );
      const { otp, hash } = await issueToken(
        tx,
        user,
        'confirmation_token',
        email,
        settings.otpLength,
      );
      if (pkce) {
        await createFlowState(tx, {
          userId: user.id,
          challenge: pkce.challenge,
          method: pkce.method,
          providerType: 'email',
          authenticationMethod: 'email/signup',
        });
      }
      mailbox.send({
        to: email,
        kind: 'confirmation',
        otp,
        link: verifyLink(settings, hash, 'signup', redirectTo),
      });
      const [fresh] = await tx`select * from auth.users where id = ${user.id}`;
      return userJson(tx, fresh as typeof user);
    });
    return c.json(response);
  });
}
