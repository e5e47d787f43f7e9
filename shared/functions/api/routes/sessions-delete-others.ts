import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../../http/context.ts';
import { withCaller } from '../../../http/doors.ts';
import { currentUser, requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { audit } from '../../../identity/audit-request.ts';
import { sessionIdsOf } from '../../../identity/session-pages.ts';
import { revokeOtherSessions } from '../../../identity/sessions.ts';

const RevokedOthers = z
  .object({ revoked: z.number().int().openapi({ description: 'How many sessions ended' }) })
  .openapi('RevokedOtherSessions', { example: { revoked: 2 } });

const route = createRoute({
  method: 'delete',
  path: '/sessions',
  tags: ['sessions'],
  summary: 'Sign out everywhere else',
  description: 'Ends every session of yours except the one making this request.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  responses: {
    200: {
      description: 'The other sessions ended',
      content: { 'application/json': { schema: RevokedOthers } },
    },
    ...problemResponses(401),
  },
});

export function registerSessionsDeleteOthers(app: App): void {
  app.openapi(route, async (c) => {
    const user = currentUser(c.var.principal);
    const { ids, revoked } = await withCaller(c, async (tx) => {
      // The ids are read first only to drop them from the session cache afterwards.
      const ids = (await sessionIdsOf(tx, user.id)).filter((id) => id !== user.sessionId);
      return { ids, revoked: await revokeOtherSessions(tx, user.sessionId) };
    });
    for (const id of ids) c.var.services.sessions.forget(id);
    await audit(c, 'session.revoked_others', {
      targetType: 'user',
      targetId: user.id,
      metadata: { count: revoked },
    });
    return c.json({ revoked }, 200);
  });
}
