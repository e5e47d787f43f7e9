import { createRoute } from '@hono/zod-openapi';
import { AppError } from '../../../errors.ts';
import type { App } from '../../../http/context.ts';
import { withCaller } from '../../../http/doors.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { audit } from '../../../identity/audit-request.ts';
import { removeUserRole } from '../../../rbac/assignments.ts';
import { findRole } from '../../../rbac/roles.ts';
import { DESTROY_NOTE, destroy } from './access.ts';
import { UserRoleParams } from './schemas.ts';

const route = createRoute({
  method: 'delete',
  path: '/users/{userId}/roles/{roleId}',
  tags: ['assignments'],
  summary: 'Take a role from a user',
  description:
    'The user loses it in RLS at once, at the API within 10 seconds and in tokens at their ' +
    `next refresh. Taking it from the last holder of \`rbac:manage\` is a 409. ${DESTROY_NOTE}`,
  ...destroy(),
  request: { params: UserRoleParams },
  responses: { 204: { description: 'Removed' }, ...problemResponses(401, 403, 404, 409, 422) },
});

export function registerUserRolesRemove(app: App): void {
  app.openapi(route, async (c) => {
    const { userId, roleId } = c.req.valid('param');
    const removed = await withCaller(c, async (tx) => {
      const role = await findRole(tx, roleId);
      if (!role || !(await removeUserRole(tx, userId, roleId))) return undefined;
      return role.name;
    });
    if (!removed) throw new AppError('not_found', { detail: 'The user does not hold that role' });
    c.var.services.grants.forget(userId);
    await audit(c, 'user.role_removed', {
      targetType: 'user',
      targetId: userId,
      metadata: { role: removed },
    });
    return c.body(null, 204);
  });
}
