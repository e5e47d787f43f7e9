import type { Hono } from 'hono';
import { body, clientIp, type EmuContext, type EmuEnv } from '../context.ts';
import { badRequest, OAuthError } from '../errors.ts';
import { consumeFlow } from '../pkce.ts';
import { alreadyUsed, refreshSession, startSession } from '../sessions.ts';
import { checkPassword, findUserByEmail, findUserById, isBanned } from '../users.ts';

type Body = Record<string, unknown>;
const str = (v: unknown) => (typeof v === 'string' ? v : '');

async function passwordGrant(c: EmuContext, input: Body) {
  const { db, settings, limiter } = c.var.deps;
  const ip = clientIp(c);
  limiter.check('sign_in_sign_ups', ip, settings.rateLimits.signInSignUps);
  const email = str(input.email).trim();
  const password = str(input.password);
  if (!email && !str(input.phone)) throw badRequest('validation_failed', 'missing email or phone');
  return db.begin(async (tx) => {
    const user = email ? await findUserByEmail(tx, email) : undefined;
    // Always hash-compare, so a missing account and a wrong password take the same time.
    const ok = await checkPassword(user, password);
    if (!user || !ok) throw badRequest('invalid_credentials', 'Invalid login credentials');
    if (isBanned(user)) throw badRequest('user_banned', 'User is banned');
    if (!user.email_confirmed_at) throw badRequest('email_not_confirmed', 'Email not confirmed');
    return startSession(tx, c.var.deps, user, {
      method: 'password',
      userAgent: c.req.header('user-agent'),
      ip,
    });
  });
}

async function refreshGrant(c: EmuContext, input: Body) {
  const { db, settings, limiter } = c.var.deps;
  limiter.check('token_refresh', clientIp(c), settings.rateLimits.tokenRefresh);
  const token = str(input.refresh_token);
  if (!token) throw badRequest('validation_failed', 'refresh_token required');
  const session = await db.begin((tx) => refreshSession(tx, c.var.deps, token));
  if (!session) throw alreadyUsed();
  return session;
}

async function pkceGrant(c: EmuContext, input: Body) {
  const { db, settings, limiter } = c.var.deps;
  const ip = clientIp(c);
  limiter.check('verify', ip, settings.rateLimits.verify);
  const authCode = str(input.auth_code);
  const verifier = str(input.code_verifier);
  if (!authCode || !verifier)
    throw badRequest(
      'validation_failed',
      'invalid request: both auth code and code verifier should be non-empty',
    );
  return db.begin(async (tx) => {
    const flow = await consumeFlow(tx, authCode, verifier);
    const user = await findUserById(tx, flow.userId);
    if (!user) throw badRequest('user_not_found', 'User not found');
    if (isBanned(user)) throw badRequest('user_banned', 'User is banned');
    return startSession(tx, c.var.deps, user, {
      method: flow.authenticationMethod,
      userAgent: c.req.header('user-agent'),
      ip,
    });
  });
}

const GRANTS: Record<string, (c: EmuContext, input: Body) => Promise<unknown>> = {
  password: passwordGrant,
  refresh_token: refreshGrant,
  pkce: pkceGrant,
};

/** `POST /token?grant_type=password|refresh_token|pkce`. */
export function registerToken(app: Hono<EmuEnv>): void {
  app.post('/token', async (c) => {
    const grant = GRANTS[c.req.query('grant_type') ?? ''];
    if (!grant) throw new OAuthError(400, 'unsupported_grant_type', '');
    return c.json(await grant(c, await body(c)));
  });
}
