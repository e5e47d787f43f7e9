import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../../http/context.ts';
import { withCaller } from '../../../http/doors.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { audit } from '../../../identity/audit-request.ts';
import { addRolePermission } from '../../../rbac/assignments.ts';
import { findPermission } from '../../../rbac/permissions.ts';
import { findRole } from '../../../rbac/roles.ts';
import { MANAGE_NOTE, manage, permissionNotFound, roleNotFound } from './access.ts';
import { RolePermissionParams } from './schemas.ts';

const route = createRoute({
  method: 'put',
  path: '/roles/{id}/permissions/{permissionId}',
  tags: ['roles'],
  summary: 'Give a role a permission',
  description:
    'Idempotent. Holders (and roles under it) get it: in tokens from their next refresh, in ' +
    `the API’s checks within 10 seconds, in RLS at once. ${MANAGE_NOTE}`,
  ...manage(),
  request: { params: RolePermissionParams },
  responses: {
    204: { description: 'The role has the permission' },
    ...problemResponses(401, 403, 404, 422),
  },
});

export function registerRolePermissionsAdd(app: App): void {
  app.openapi(route, async (c) => {
    const { id, permissionId } = c.req.valid('param');
    const added = await withCaller(c, async (tx) => {
      if (!(await findRole(tx, id))) throw roleNotFound();
      const permission = await findPermission(tx, permissionId);
      if (!permission) throw permissionNotFound();
      return (await addRolePermission(tx, id, permissionId)) ? permission.name : undefined;
    });
    if (added) {
      c.var.services.grants.clear();
      c.var.services.appTokens.clear();
      await audit(c, 'role.permission_added', {
        targetType: 'role',
        targetId: id,
        metadata: { permission: added },
      });
    }
    return c.body(null, 204);
  });
}
