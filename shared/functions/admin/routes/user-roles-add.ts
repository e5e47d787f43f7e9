import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../../http/context.ts';
import { withCaller } from '../../../http/doors.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { audit } from '../../../identity/audit-request.ts';
import { addUserRole } from '../../../rbac/assignments.ts';
import { findRole } from '../../../rbac/roles.ts';
import { MANAGE_NOTE, manage, roleNotFound } from './access.ts';
import { UserRoleParams } from './schemas.ts';

const route = createRoute({
  method: 'put',
  path: '/users/{userId}/roles/{roleId}',
  tags: ['assignments'],
  summary: 'Give a user a role',
  description:
    'Idempotent. It reaches the user’s tokens at their next refresh, the API’s checks ' +
    `within 10 seconds and RLS at once. ${MANAGE_NOTE}`,
  ...manage(),
  request: { params: UserRoleParams },
  responses: {
    204: { description: 'The user holds the role' },
    ...problemResponses(401, 403, 404, 422),
  },
});

export function registerUserRolesAdd(app: App): void {
  app.openapi(route, async (c) => {
    const { userId, roleId } = c.req.valid('param');
    const added = await withCaller(c, async (tx) => {
      const role = await findRole(tx, roleId);
      if (!role) throw roleNotFound();
      // An unknown user fails the foreign key: a 404 through the one error mapper.
      return (await addUserRole(tx, userId, roleId)) ? role.name : undefined;
    });
    c.var.services.grants.forget(userId);
    if (added) {
      await audit(c, 'user.role_added', {
        targetType: 'user',
        targetId: userId,
        metadata: { role: added },
      });
    }
    return c.body(null, 204);
  });
}
