import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../../errors.ts';
import { clientIp } from '../../../http/client-ip.ts';
import type { App } from '../../../http/context.ts';
import { withService } from '../../../http/doors.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { audit } from '../../../identity/audit-request.ts';
import { limitAttempt } from '../../../identity/limit-attempt.ts';
import {
  clearLoginFailures,
  loginLockedUntil,
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
    'one IP lock that pair for a growing time (429 with Retry-After).',
  request: { body: { required: true, content: { 'application/json': { schema: LoginBody } } } },
  responses: {
    200: { description: 'Signed in', content: { 'application/json': { schema: SessionSchema } } },
    ...problemResponses(401, 403, 422, 429),
  },
});

export function registerLogin(app: App): void {
  app.openapi(route, async (c) => {
    const { email, password } = c.req.valid('json');
    const { config, authClient } = c.var.services;
    const ip = clientIp(c);
    await limitAttempt(c, 'login', email);

    // Checked before the password, so guesses during a lock teach nothing.
    const lockedUntil = await withService(c, (tx) => loginLockedUntil(tx, email, ip));
    if (lockedUntil) throw locked(lockedUntil);

    const { data, error } = await authClient({ ip }).auth.signInWithPassword({ email, password });
    if (error || !data.session) {
      if (error?.code === 'invalid_credentials') {
        const policy = {
          threshold: config.LOCKOUT_THRESHOLD,
          baseSeconds: config.LOCKOUT_BASE_SECONDS,
          maxSeconds: config.LOCKOUT_MAX_SECONDS,
        };
        const until = await withService(c, (tx) => recordLoginFailure(tx, email, ip, policy));
        await audit(c, 'auth.login.failed', { targetType: 'account', targetId: email });
        if (until)
          await audit(c, 'auth.lockout', {
            targetType: 'account',
            targetId: email,
            metadata: { until },
          });
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

function locked(until: Date): AppError {
  const seconds = Math.max(1, Math.ceil((until.getTime() - Date.now()) / 1000));
  return new AppError('rate_limited', {
    detail: 'Too many failed sign-ins; try again later',
    headers: { 'retry-after': String(seconds) },
  });
}
