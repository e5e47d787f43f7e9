import { randomUUID } from 'node:crypto';
import type { Hono } from 'hono';
import {
  body,
  clientIp,
  type EmuContext,
  type EmuEnv,
  limit,
  nowDate,
  safeRedirect,
} from '../context.ts';
import { badRequest, unprocessable } from '../errors.ts';
import { verifyLink } from '../links.ts';
import { issueToken } from '../otp.ts';
import { requireStrongPassword } from '../password-rules.ts';
import { createFlowState, readChallenge } from '../pkce.ts';
import { startSession } from '../sessions.ts';
import {
  findUserByEmail,
  hashPassword,
  INSTANCE_ID,
  insertEmailUser,
  type UserRow,
  userJson,
} from '../users.ts';
import { metadata, validEmail } from '../validate.ts';

interface SignupBody {
  email?: unknown;
  phone?: unknown;
  password?: unknown;
  data?: unknown;
  code_challenge?: unknown;
  code_challenge_method?: unknown;
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');

const signupsDisabled = () =>
  unprocessable('signup_disabled', 'Signups not allowed for this instance');

/** GoTrue's `SignupAnonymously`: a user with no email, phone or password, and a session. */
async function anonymousSignup(c: EmuContext, input: SignupBody) {
  const { db, settings } = c.var.deps;
  if (settings.disableSignup) throw signupsDisabled();
  const session = await db.begin(async (tx) => {
    const [user] = await tx<UserRow[]>`
      insert into auth.users (instance_id, id, aud, role, encrypted_password, raw_app_meta_data,
                              raw_user_meta_data, is_anonymous, created_at, updated_at,
                              confirmation_token, recovery_token, email_change_token_new, email_change)
      values (${INSTANCE_ID}, gen_random_uuid(), 'authenticated', 'authenticated', '', '{}',
              ${tx.json(metadata(input.data) as never)}, true, now(), now(), '', '', '', '')
      returning *`;
    if (!user) throw new Error('insert into auth.users returned nothing');
    return startSession(tx, c.var.deps, user, {
      method: 'anonymous',
      userAgent: c.req.header('user-agent'),
      ip: clientIp(c),
    });
  });
  return c.json(session);
}

/** GoTrue's `validateSignupParams` and provider checks, in its order. */
function validateSignup(c: EmuContext, input: SignupBody) {
  const { settings } = c.var.deps;
  if (settings.disableSignup) throw signupsDisabled();
  const password = str(input.password);
  const rawEmail = str(input.email);
  const phone = str(input.phone);
  if (!password) throw badRequest('validation_failed', 'Signup requires a valid password');
  requireStrongPassword(settings, password, [rawEmail]);
  if (rawEmail && phone) {
    throw badRequest(
      'validation_failed',
      'Only an email address or phone number should be provided on signup.',
    );
  }
  if (phone && str(input.code_challenge)) {
    throw badRequest('validation_failed', 'PKCE not supported for phone signups');
  }
  const pkce = readChallenge(input);
  // The emulator has no SMS provider, so phone sign-ups are off as in a fresh project.
  if (!rawEmail) throw badRequest('phone_provider_disabled', 'Phone signups are disabled');
  return { email: validEmail(rawEmail), password, pkce };
}

/**
 * `POST /signup`. With confirmations on, a new user gets a confirmation mail and the
 * response is the user; with autoconfirm, a session. Signing up again with a confirmed
 * address answers like a new sign-up (with a throwaway id), so it reveals nothing. Without
 * an email or phone it is an anonymous sign-in, when those are enabled.
 */
export function registerSignup(app: Hono<EmuEnv>): void {
  app.post('/signup', async (c) => {
    const { db, settings, limiter, mailbox } = c.var.deps;
    const input = await body<SignupBody>(c);
    if (!str(input.email) && !str(input.phone)) {
      if (!settings.anonymousSignIns) {
        throw unprocessable('anonymous_provider_disabled', 'Anonymous sign-ins are disabled');
      }
      limit(c, 'anonymous');
      return anonymousSignup(c, input);
    }
    limit(c, 'signup');
    const { email, password, pkce } = validateSignup(c, input);
    const ip = clientIp(c);
    const redirectTo = safeRedirect(settings, c.req.query('redirect_to'));

    const response = await db.begin(async (tx) => {
      const existing = await findUserByEmail(tx, email);
      if (existing?.email_confirmed_at) {
        if (settings.autoconfirm)
          throw unprocessable('user_already_exists', 'User already registered');
        // As GoTrue's sanitizeUser: a made-up user that says nothing true about the account,
        // after the same password hashing a new sign-up costs, so timing says nothing either.
        await hashPassword(password);
        const now = nowDate(c.var.deps);
        const decoy = await userJson(tx, {
          ...existing,
          id: randomUUID(),
          raw_user_meta_data: metadata(input.data),
          raw_app_meta_data: { provider: 'email', providers: ['email'] },
          email_confirmed_at: null,
          phone_confirmed_at: null,
          confirmed_at: null,
          last_sign_in_at: null,
          created_at: now,
          updated_at: now,
          confirmation_sent_at: now,
        });
        return { ...decoy, identities: [] };
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
      limiter.email(settings.rateLimits.emailSent);
      const { otp, hash } = await issueToken(
        tx,
        user,
        'confirmation_token',
        email,
        settings.otpLength,
        nowDate(c.var.deps),
      );
      if (pkce) {
        await createFlowState(tx, nowDate(c.var.deps), {
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
