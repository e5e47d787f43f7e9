import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../../http/context.ts';
import { currentUser, requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { audit } from '../../../identity/audit-request.ts';
import { limitAttempt } from '../../../identity/limit-attempt.ts';
import { userClient } from '../support/clients.ts';
import { fromAuthError } from '../support/gotrue-errors.ts';
import { FactorId, TotpCode } from '../support/mfa.ts';
import { SessionSchema, sessionIdOf, toSession } from '../support/session.ts';

const MfaVerifyBody = z
  .object({ factor_id: FactorId, challenge_id: FactorId, code: TotpCode })
  .openapi('MfaVerifyRequest');

const route = createRoute({
  method: 'post',
  path: '/mfa/verify',
  tags: ['mfa'],
  summary: 'Verify a challenge',
  description:
    'Checks the code against the challenge. The first success activates the factor; every ' +
    'success raises the session to aal2 and returns its new tokens. Other sessions of the ' +
    'user that are not aal2 end. Attempts per account are rate-limited.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser({ beforeSecondFactor: true })] as const,
  request: { body: { required: true, content: { 'application/json': { schema: MfaVerifyBody } } } },
  responses: {
    200: {
      description: 'Verified: an aal2 session',
      content: { 'application/json': { schema: SessionSchema } },
    },
    ...problemResponses(401, 404, 422, 429, 502),
  },
});

export function registerMfaVerify(app: App): void {
  app.openapi(route, async (c) => {
    const user = currentUser(c.var.principal);
    const { factor_id, challenge_id, code } = c.req.valid('json');
    // Six digits are few: without this, a stolen password would be a brute force away from aal2.
    await limitAttempt(c, 'mfa_verify', user.id);
    const { data, error } = await userClient(c).auth.mfa.verify({
      factorId: factor_id,
      challengeId: challenge_id,
      code,
    });
    if (error) throw fromAuthError(error);
    await audit(c, 'auth.mfa.verified', {
      targetType: 'mfa_factor',
      targetId: factor_id,
      metadata: { session_id: sessionIdOf(data.access_token) ?? null },
    });
    return c.json(toSession(data), 200);
  });
}
