import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../../http/context.ts';
import { withCaller } from '../../../http/doors.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { audit } from '../../../identity/audit-request.ts';
import { deletePermission, findPermission } from '../../../rbac/permissions.ts';
import { DESTROY_NOTE, destroy, permissionNotFound } from './access.ts';
import { IdParam } from './schemas.ts';

const route = createRoute({
  method: 'delete',
  path: '/permissions/{id}',
  tags: ['permissions'],
  summary: 'Delete a permission',
  description: `Every role loses it. System permissions are a 409. ${DESTROY_NOTE}`,
  ...destroy(),
  request: { params: IdParam },
  responses: { 204: { description: 'Deleted' }, ...problemResponses(401, 403, 404, 409, 422) },
});

export function registerPermissionsDelete(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const name = await withCaller(c, async (tx) => {
      const permission = await findPermission(tx, id);
      if (!permission || !(await deletePermission(tx, id))) return undefined;
      return permission.name;
    });
    if (!name) throw permissionNotFound();
    c.var.services.grants.clear();
    c.var.services.appTokens.clear();
    await audit(c, 'permission.deleted', {
      targetType: 'permission',
      targetId: id,
      metadata: { name },
    });
    return c.body(null, 204);
  });
}
