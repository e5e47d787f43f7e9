import type { Hono } from 'hono';
import { body, clientIp, type EmuContext, type EmuEnv, limit, nowDate } from '../context.ts';
import { badRequest } from '../errors.ts';
import { idTokenGrant, web3Grant } from '../flows/disabled-grants.ts';
import { passwordGrant } from '../flows/password-grant.ts';
import { consumeFlow } from '../pkce.ts';
import { alreadyUsed, refreshSession, startSession } from '../sessions.ts';
import { findUserById, isBanned } from '../users.ts';

const str = (v: unknown) => (typeof v === 'string' ? v : '');

async function refreshGrant(c: EmuContext) {
  const input = await body(c);
  const token = str(input.refresh_token);
  if (!token) throw badRequest('validation_failed', 'refresh_token required');
  const session = await c.var.deps.db.begin((tx) => refreshSession(tx, c.var.deps, token));
  if (!session) throw alreadyUsed();
  return session;
}

async function pkceGrant(c: EmuContext) {
  const { db, clock } = c.var.deps;
  const input = await body(c);
  const authCode = str(input.auth_code);
  const verifier = str(input.code_verifier);
  if (!authCode || !verifier)
    throw badRequest(
      'validation_failed',
      'invalid request: both auth code and code verifier should be non-empty',
    );
  return db.begin(async (tx) => {
    const flow = await consumeFlow(tx, nowDate(c.var.deps), authCode, verifier);
    const user = await findUserById(tx, flow.userId);
    if (!user) throw badRequest('user_not_found', 'User not found');
    if (isBanned(user, clock)) throw badRequest('user_banned', 'User is banned');
    return startSession(tx, c.var.deps, user, {
      method: flow.authenticationMethod,
      userAgent: c.req.header('user-agent'),
      ip: clientIp(c),
    });
  });
}

const GRANTS: Record<string, (c: EmuContext) => Promise<unknown>> = {
  password: passwordGrant,
  refresh_token: refreshGrant,
  id_token: idTokenGrant,
  pkce: pkceGrant,
  web3: web3Grant,
};

/**
 * `POST /token?grant_type=password|refresh_token|pkce|id_token|web3`. As in GoTrue, every
 * grant but web3 draws on one per-IP limit (`GOTRUE_RATE_LIMIT_TOKEN_REFRESH`, a 30-request
 * burst refilled over 5 minutes), taken before the body is read; web3 has its own.
 */
export function registerToken(app: Hono<EmuEnv>): void {
  app.post('/token', async (c) => {
    const type = c.req.query('grant_type') ?? '';
    const grant = Object.hasOwn(GRANTS, type) ? GRANTS[type] : undefined;
    if (!grant) throw badRequest('invalid_credentials', 'unsupported_grant_type');
    limit(c, type === 'web3' ? 'web3' : 'token');
    return c.json(await grant(c));
  });
}
