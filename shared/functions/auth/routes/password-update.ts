import { createRoute, z } from '@hono/zod-openapi';
import type { TokenClaims } from '../../../auth/verifier.ts';
import { AppError } from '../../../errors.ts';
import { clientIp } from '../../../http/client-ip.ts';
import type { App } from '../../../http/context.ts';
import { currentUser, requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { audit } from '../../../identity/audit-request.ts';
import { limitAttempt } from '../../../identity/limit-attempt.ts';
import { userClient } from '../support/clients.ts';
import { fromAuthError } from '../support/gotrue-errors.ts';
import { Password } from '../support/schemas.ts';

/**
 * Sign-in methods that prove control of the mailbox: GoTrue records a followed recovery or
 * magic link as `otp` (implicit flow) or as `recovery` / `magiclink` (PKCE exchange).
 */
const MAILBOX_METHODS = new Set(['recovery', 'otp', 'magiclink']);
/** How long after following the link the new password may be set without the old one. */
export const RECOVERY_WINDOW_SECONDS = 10 * 60;

const PasswordUpdateBody = z
  .object({
    password: Password.openapi({
      description: 'The new password',
      example: 'a-new-sturdy-password',
    }),
    current_password: Password.optional().openapi({
      description: 'Required unless the session came from a recovery link in the last 10 minutes',
      example: 'correct-horse-battery-staple',
    }),
  })
  .openapi('PasswordUpdateRequest');

const route = createRoute({
  method: 'post',
  path: '/password/update',
  tags: ['auth'],
  summary: 'Set a new password',
  description:
    'With a session from a recovery (or magic) link followed in the last 10 minutes, sets the ' +
    'new password at once; otherwise `current_password` is checked first (401 when wrong, ' +
    'attempts rate-limited). Auth enforces its password rules (422 `weak_password`, 422 for ' +
    'the same password) and ends every other session of the user.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: {
    body: { required: true, content: { 'application/json': { schema: PasswordUpdateBody } } },
  },
  responses: {
    204: { description: 'Password changed' },
    ...problemResponses(401, 403, 422, 429, 502),
  },
});

/** Whether the token's session began with a mailed link recently enough to skip the old password. */
export function fromRecentRecovery(claims: TokenClaims, nowSeconds = Date.now() / 1000): boolean {
  const amr = Array.isArray(claims.amr) ? (claims.amr as unknown[]) : [];
  return amr.some((entry) => {
    const { method, timestamp } = (entry ?? {}) as { method?: unknown; timestamp?: unknown };
    return (
      typeof method === 'string' &&
      MAILBOX_METHODS.has(method) &&
      typeof timestamp === 'number' &&
      nowSeconds - timestamp <= RECOVERY_WINDOW_SECONDS
    );
  });
}

export function registerPasswordUpdate(app: App): void {
  app.openapi(route, async (c) => {
    const user = currentUser(c.var.principal);
    const { password, current_password } = c.req.valid('json');
    const recovery = fromRecentRecovery(user.claims);

    if (!recovery) {
      if (!current_password) {
        throw new AppError('validation_failed', {
          detail: 'Give the current password to change it',
          errors: [{ path: 'body.current_password', message: 'Required' }],
        });
      }
      await limitAttempt(c, 'password_update', user.email);
      const { services } = c.var;
      const { data, error } = await services
        .authClient({ ip: clientIp(c) })
        .auth.signInWithPassword({ email: user.email, password: current_password });
      if (error || !data.session) throw error ? fromAuthError(error) : new AppError('bad_gateway');
      // The check opened a session of its own; nobody holds it, so end it now.
      await services.adminClient().auth.admin.signOut(data.session.access_token, 'local');
    }

    // As the user, not through the admin API: Auth then applies its own rules for a user
    // changing their password (strength, not the same one) and ends their other sessions.
    const { error } = await userClient(c).auth.updateUser({ password });
    if (error?.code === 'same_password') {
      throw new AppError('validation_failed', {
        detail: error.message,
        errors: [{ path: 'body.password', message: 'Must differ from the current password' }],
      });
    }
    if (error) throw fromAuthError(error);

    await audit(c, 'auth.password.changed', {
      targetType: 'user',
      targetId: user.id,
      metadata: { via: recovery ? 'recovery_link' : 'current_password' },
    });
    return c.body(null, 204);
  });
}
