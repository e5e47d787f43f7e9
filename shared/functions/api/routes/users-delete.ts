import { createRoute } from '@hono/zod-openapi';
import { can } from '../../../auth/principal.ts';
import { AppError } from '../../../errors.ts';
import type { App } from '../../../http/context.ts';
import { withCaller } from '../../../http/doors.ts';
import { currentUser, requirePermission, requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { audit } from '../../../identity/audit-request.ts';
import { soleRbacManager } from '../../../identity/rbac.ts';
import { sessionIdsOf } from '../../../identity/session-pages.ts';
import { findUser } from '../../../identity/users.ts';
import { fromAuthError } from '../../auth/support/gotrue-errors.ts';
import { UserIdParam, userNotFound } from './schemas.ts';

const route = createRoute({
  method: 'delete',
  path: '/users/{id}',
  tags: ['users'],
  summary: 'Delete a user',
  description:
    'Needs `users:delete` (and `users:read` to see the user). Deletes the Auth user; their ' +
    "profile, roles and sessions go with it by the schema's cascades. You cannot delete yourself, " +
    'nor the last holder of `rbac:manage` (409).',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser(), requirePermission('users:delete')] as const,
  request: { params: UserIdParam },
  responses: { 204: { description: 'Deleted' }, ...problemResponses(401, 403, 404, 409, 422, 502) },
});

export function registerUsersDelete(app: App): void {
  app.openapi(route, async (c) => {
    const admin = currentUser(c.var.principal);
    const { id } = c.req.valid('param');
    if (id === admin.id) throw new AppError('conflict', { detail: 'You cannot delete yourself' });

    // RLS decides whether the caller may see the user; their session ids (when the caller may
    // read them) are only needed to drop them from this instance's session cache afterwards.
    const sessions = await withCaller(c, async (tx) => {
      if (!(await findUser(tx, id))) return undefined;
      // The database would refuse it from inside Auth; say so here, as a 409.
      if (await soleRbacManager(tx, id)) {
        throw new AppError('conflict', { detail: 'This would leave nobody holding rbac:manage' });
      }
      return can(admin, 'sessions:read') ? sessionIdsOf(tx, id) : [];
    });
    if (!sessions) throw userNotFound();

    const { error } = await c.var.services.adminClient().auth.admin.deleteUser(id);
    if (error) throw fromAuthError(error);
    for (const sessionId of sessions) c.var.services.sessions.forget(sessionId);
    await audit(c, 'user.deleted', { targetType: 'user', targetId: id });
    return c.body(null, 204);
  });
}
