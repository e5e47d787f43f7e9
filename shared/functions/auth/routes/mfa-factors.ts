import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../../http/context.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { userClient } from '../support/clients.ts';
import { fromAuthError } from '../support/gotrue-errors.ts';
import { FactorSchema, toFactor } from '../support/mfa.ts';

const MfaFactorsResponse = z.object({ factors: z.array(FactorSchema) }).openapi('MfaFactors');

const route = createRoute({
  method: 'get',
  path: '/mfa/factors',
  tags: ['mfa'],
  summary: "List the caller's factors",
  description: 'Verified and unverified factors, oldest first; secrets are never included.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser({ beforeSecondFactor: true })] as const,
  responses: {
    200: {
      description: 'Factors',
      content: { 'application/json': { schema: MfaFactorsResponse } },
    },
    ...problemResponses(401, 502),
  },
});

export function registerMfaFactors(app: App): void {
  app.openapi(route, async (c) => {
    const { data, error } = await userClient(c).auth.mfa.listFactors();
    if (error) throw fromAuthError(error);
    return c.json({ factors: data.all.map(toFactor) }, 200);
  });
}
