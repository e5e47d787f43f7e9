import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../../http/context.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { userClient } from '../support/clients.ts';
import { fromAuthError } from '../support/gotrue-errors.ts';
import { FactorId } from '../support/mfa.ts';

const MfaChallengeBody = z.object({ factor_id: FactorId }).openapi('MfaChallengeRequest');

const MfaChallengeResponse = z
  .object({
    id: z.uuid(),
    expires_at: z.number().int().openapi({ description: 'Unix seconds', example: 1767225900 }),
  })
  .openapi('MfaChallenge');

const route = createRoute({
  method: 'post',
  path: '/mfa/challenge',
  tags: ['mfa'],
  summary: 'Start verifying a factor',
  description:
    "Opens a challenge for one of the caller's factors; answer it with `POST /mfa/verify` " +
    'from the same IP address before it expires.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser({ beforeSecondFactor: true })] as const,
  request: {
    body: { required: true, content: { 'application/json': { schema: MfaChallengeBody } } },
  },
  responses: {
    201: {
      description: 'Challenge created',
      content: { 'application/json': { schema: MfaChallengeResponse } },
    },
    ...problemResponses(401, 404, 422, 429, 502),
  },
});

export function registerMfaChallenge(app: App): void {
  app.openapi(route, async (c) => {
    const { factor_id } = c.req.valid('json');
    const { data, error } = await userClient(c).auth.mfa.challenge({ factorId: factor_id });
    if (error) throw fromAuthError(error);
    return c.json({ id: data.id, expires_at: data.expires_at }, 201);
  });
}
