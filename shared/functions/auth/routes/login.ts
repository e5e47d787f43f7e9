import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { AppError } from '../../../errors.ts';
import { clientIp } from '../../../http/client-ip.ts';
import type { App, AppEnv } from '../../../http/context.ts';
import { withService } from '../../../http/doors.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { audit } from '../../../identity/audit-request.ts';
import { limitAttempt } from '../../../identity/limit-attempt.ts';
import {
  clearLoginFailures,
  passwordHolds,
  recordLoginFailure,
} from '../../../identity/lockout.ts';
import { fromAuthError } from '../support/gotrue-errors.ts';
import { Email, Password } from '../support/schemas.ts';
import { SessionSchema, sessionIdOf, toSession } from '../support/session.ts';

const LoginBody = z.object({ email: Email, password: Password }).openapi('LoginRequest');

const route = createRoute({
  method: 'post',
  path: '/login',
  tags: ['auth'],
  summary: 'Sign in with email and password',
  description:
    'Wrong password and unknown account answer alike. Repeated failures for one account from ' +
    'one address lock that pair for a growing time; past the account-wide failure budget, ' +
    'password sign-in for the account pauses at every door (429 with Retry-After either way). ' +
    'Magic links and password resets keep working.',
  request: { body: { required: true, content: { 'application/json': { schema: LoginBody } } } },
  responses: {
    200: { description: 'Signed in', content: { 'application/json': { schema: SessionSchema } } },
    ...problemResponses(401, 403, 422, 429),
  },
});

export function registerLogin(app: App): void {
  app.openapi(route, async (c) => {
    const { email, password } = c.req.valid('json');
    const { config, clock, authClient } = c.var.services;
    const ip = clientIp(c);
    const at = () => new Date(clock.now());
    await limitAttempt(c, 'login', email);

    // Checked before the password, so guesses during a lock or pause teach nothing.
    const held = await withService(c, (tx) => passwordHolds(tx, email, ip, at()));
    if (held.pause) throw paused(c, held.pause);
    if (held.lock) throw locked(c, held.lock);

    const { data, error } = await authClient({ ip }).auth.signInWithPassword({ email, password });
    if (error || !data.session) {
      if (error?.code === 'invalid_credentials') {
        const policy = {
          threshold: config.LOCKOUT_THRESHOLD,
          baseSeconds: config.LOCKOUT_BASE_SECONDS,
          maxSeconds: config.LOCKOUT_MAX_SECONDS,
        };
        const after = await withService(c, async (tx) => ({
          lock: await recordLoginFailure(tx, email, ip, policy, at()),
          // This very attempt may have spent the account's budget (Auth's hook counts it).
          pause: (await passwordHolds(tx, email, ip, at())).pause,
        }));
        await audit(c, 'auth.login.failed', { targetType: 'account', targetId: email });
        if (after.lock)
          await audit(c, 'auth.lockout', {
            targetType: 'account',
            targetId: email,
            metadata: { until: after.lock },
          });
        if (after.pause) throw paused(c, after.pause);
      }
      throw error ? fromAuthError(error) : new AppError('bad_gateway');
    }

    await withService(c, (tx) => clearLoginFailures(tx, email, ip));
    await audit(c, 'auth.login.succeeded', {
      actorId: data.user.id,
      targetType: 'session',
      targetId: sessionIdOf(data.session.access_token),
    });
    return c.json(toSession(data.session), 200);
  });
}

const retryAfter = (c: Context<AppEnv>, until: Date) =>
  String(Math.max(1, Math.ceil((until.getTime() - c.var.services.clock.now()) / 1000)));

function locked(c: Context<AppEnv>, until: Date): AppError {
  return new AppError('rate_limited', {
    detail: 'Too many failed sign-ins from here; try again later',
    headers: { 'retry-after': retryAfter(c, until) },
  });
}

function paused(c: Context<AppEnv>, until: Date): AppError {
  return new AppError('rate_limited', {
    detail:
      'Password sign-in is paused for this account after too many failed attempts. Use a ' +
      'magic link or reset your password, or try again later.',
    headers: { 'retry-after': retryAfter(c, until) },
  });
}
