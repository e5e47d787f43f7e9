import { createRoute } from '@hono/zod-openapi';
import { AppError } from '../../../errors.ts';
import type { App } from '../../../http/context.ts';
import { withCaller } from '../../../http/doors.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { audit } from '../../../identity/audit-request.ts';
import { removeRolePermission } from '../../../rbac/assignments.ts';
import { findPermission } from '../../../rbac/permissions.ts';
import { DESTROY_NOTE, destroy } from './access.ts';
import { RolePermissionParams } from './schemas.ts';

const route = createRoute({
  method: 'delete',
  path: '/roles/{id}/permissions/{permissionId}',
  tags: ['roles'],
  summary: 'Take a permission from a role',
  description:
    'Holders lose it in RLS at once and at the API within 10 seconds. Taking away the last ' +
    `path to \`rbac:manage\` is a 409. ${DESTROY_NOTE}`,
  ...destroy(),
  request: { params: RolePermissionParams },
  responses: { 204: { description: 'Removed' }, ...problemResponses(401, 403, 404, 409, 422) },
});

export function registerRolePermissionsRemove(app: App): void {
  app.openapi(route, async (c) => {
    const { id, permissionId } = c.req.valid('param');
    const removed = await withCaller(c, async (tx) => {
      const permission = await findPermission(tx, permissionId);
      if (!permission || !(await removeRolePermission(tx, id, permissionId))) return undefined;
      return permission.name;
    });
    if (!removed) throw new AppError('not_found', { detail: 'The role does not have it' });
    c.var.services.grants.clear();
    c.var.services.appTokens.clear();
    await audit(c, 'role.permission_removed', {
      targetType: 'role',
      targetId: id,
      metadata: { permission: removed },
    });
    return c.body(null, 204);
  });
}
