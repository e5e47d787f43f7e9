import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../../http/context.ts';
import { accessToken, currentUser, requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { audit } from '../../../identity/audit-request.ts';
import { fromAuthError } from '../support/gotrue-errors.ts';

const LogoutBody = z
  .object({
    scope: z.enum(['local', 'global', 'others']).default('local').openapi({
      description:
        '`local`: this session; `global`: every session of the user; `others`: all but this one',
    }),
  })
  .openapi('LogoutRequest');

const route = createRoute({
  method: 'post',
  path: '/logout',
  tags: ['auth'],
  summary: 'Sign out',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser({ beforeSecondFactor: true })] as const,
  request: { body: { required: false, content: { 'application/json': { schema: LogoutBody } } } },
  responses: { 204: { description: 'Signed out' }, ...problemResponses(401) },
});

export function registerLogout(app: App): void {
  app.openapi(route, async (c) => {
    const user = currentUser(c.var.principal);
    const scope = c.req.valid('json')?.scope ?? 'local';
    const { error } = await c.var.services
      .adminClient()
      .auth.admin.signOut(accessToken(c) ?? '', scope);
    if (error) throw fromAuthError(error);
    // This instance stops honouring the token at once; others within the cache TTL.
    c.var.services.sessions.forget(user.sessionId);
    await audit(c, 'auth.logout', {
      targetType: 'session',
      targetId: user.sessionId,
      metadata: { scope },
    });
    return c.body(null, 204);
  });
}
