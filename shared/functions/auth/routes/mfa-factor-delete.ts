import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../../http/context.ts';
import { requireAal2 } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { audit } from '../../../identity/audit-request.ts';
import { userClient } from '../support/clients.ts';
import { fromAuthError } from '../support/gotrue-errors.ts';
import { FactorId } from '../support/mfa.ts';

const Params = z.object({
  id: FactorId.openapi({ param: { name: 'id', in: 'path' } }),
});

const route = createRoute({
  method: 'delete',
  path: '/mfa/factors/{id}',
  tags: ['mfa'],
  summary: 'Remove a factor',
  description:
    'Removing a second factor weakens the account, so it takes an aal2 session (403 ' +
    '`insufficient_aal` otherwise). Sessions raised with this factor drop back to aal1 at ' +
    'their next refresh.',
  security: [{ bearerAuth: [] }],
  middleware: [requireAal2()] as const,
  request: { params: Params },
  responses: {
    204: { description: 'Removed' },
    ...problemResponses(401, 403, 404, 422, 502),
  },
});

export function registerMfaFactorDelete(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { error } = await userClient(c).auth.mfa.unenroll({ factorId: id });
    if (error) throw fromAuthError(error);
    await audit(c, 'auth.mfa.removed', { targetType: 'mfa_factor', targetId: id });
    return c.body(null, 204);
  });
}
