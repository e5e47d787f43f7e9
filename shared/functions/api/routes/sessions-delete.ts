import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../../errors.ts';
import type { App } from '../../../http/context.ts';
import { withCaller } from '../../../http/doors.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { audit } from '../../../identity/audit-request.ts';
import { isInsufficientPrivilege, revokeSession } from '../../../identity/sessions.ts';

const SessionIdParam = z.object({
  id: z.uuid().openapi({
    param: { name: 'id', in: 'path' },
    example: '5f1c3a52-8d7e-4d0b-9a51-2f7c1e0d9b44',
  }),
});

const route = createRoute({
  method: 'delete',
  path: '/sessions/{id}',
  tags: ['sessions'],
  summary: 'End a session',
  description:
    "Your own session, or anyone's with `sessions:revoke`. Its refresh token stops working at " +
    'once and its access tokens within seconds. A session you may not end answers 404.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: { params: SessionIdParam },
  responses: { 204: { description: 'Ended' }, ...problemResponses(401, 404, 422) },
});

export function registerSessionsDelete(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    // Someone else's session looks exactly like a missing one, so ids cannot be probed.
    const revoked = await withCaller(c, (tx) => revokeSession(tx, id)).catch((err: unknown) => {
      if (isInsufficientPrivilege(err)) return false;
      throw err;
    });
    if (!revoked) throw new AppError('not_found', { detail: 'Session not found' });
    c.var.services.sessions.forget(id);
    await audit(c, 'session.revoked', { targetType: 'session', targetId: id });
    return c.body(null, 204);
  });
}
