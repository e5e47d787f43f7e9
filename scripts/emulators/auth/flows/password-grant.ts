import { body, clientIp, type EmuContext } from '../context.ts';
import { badRequest, unprocessable } from '../errors.ts';
import { hookMetadata, readDecision, runHook } from '../hooks.ts';
import { passwordWeakness, type Weakness } from '../password-rules.ts';
import { startSession } from '../sessions.ts';
import { checkPassword, findUserByEmail, isBanned, type UserRow } from '../users.ts';

const str = (v: unknown) => (typeof v === 'string' ? v : '');
const invalidLogin = () => badRequest('invalid_credentials', 'Invalid login credentials');

/** GoTrue's default when a password hook rejects without a message of its own. */
export const DEFAULT_PASSWORD_REJECTION =
  'Further password verification attempts will be rejected.';

/**
 * The Password Verification Attempt hook, after every password check of a known user who
 * has a password and is not banned: `{metadata, user_id, valid}` in, `{decision, message,
 * should_logout_user}` out. It runs in a transaction of its own, so what it records stays
 * whatever the sign-in's outcome. A `reject` ends every session of the user when asked,
 * then answers 400 `invalid_credentials` with the hook's message.
 */
async function passwordHook(c: EmuContext, user: UserRow, valid: boolean): Promise<void> {
  const { db, settings, clock } = c.var.deps;
  const hook = settings.hooks.password_verification_attempt;
  if (!hook) return;
  const out = await runHook(db, hook, {
    metadata: hookMetadata('password-verification', clock, clientIp(c)),
    user_id: user.id,
    valid,
  });
  const decision = readDecision(out);
  if (!decision.reject) return;
  if (decision.shouldLogoutUser) await db`delete from auth.sessions where user_id = ${user.id}`;
  throw badRequest('invalid_credentials', decision.message || DEFAULT_PASSWORD_REJECTION);
}

/**
 * `POST /token?grant_type=password`, in GoTrue's order: unknown user, no password and a ban
 * answer before the password is checked; the hook sees every check; a right password for an
 * unconfirmed address is `email_not_confirmed`. A right but weak password still signs in,
 * with GoTrue's `weak_password` note in the answer.
 */
export async function passwordGrant(c: EmuContext) {
  const { db, clock } = c.var.deps;
  const input = await body(c);
  const email = str(input.email).trim();
  const phone = str(input.phone);
  const password = str(input.password);
  if (email && phone) {
    throw badRequest(
      'validation_failed',
      'Only an email address or phone number should be provided on login.',
    );
  }
  if (!email && phone) throw unprocessable('phone_provider_disabled', 'Phone logins are disabled');
  if (!email) throw badRequest('validation_failed', 'missing email or phone');

  const user = await findUserByEmail(db, email);
  // Always hash-compare, so a missing account and a wrong password take the same time.
  const valid = await checkPassword(user, password);
  if (!user?.encrypted_password) throw invalidLogin();
  if (isBanned(user, clock)) throw badRequest('user_banned', 'User is banned');
  let weak: Weakness | undefined;
  try {
    if (valid) weak = passwordWeakness(c.var.deps.settings, password, [user.email ?? '']);
  } catch {
    // GoTrue only logs a strength check that fails at sign-in (here: over 72 bytes).
  }
  await passwordHook(c, user, valid);
  if (!valid) throw invalidLogin();
  if (!user.email_confirmed_at) throw badRequest('email_not_confirmed', 'Email not confirmed');
  const session = await db.begin((tx) =>
    startSession(tx, c.var.deps, user, {
      method: 'password',
      userAgent: c.req.header('user-agent'),
      ip: clientIp(c),
    }),
  );
  return weak ? { ...session, weak_password: weak } : session;
}
