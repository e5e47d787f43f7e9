import { createRoute } from '@hono/zod-openapi';
import { AppError } from '../../../errors.ts';
import type { App } from '../../../http/context.ts';
import { withCaller } from '../../../http/doors.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { audit } from '../../../identity/audit-request.ts';
import { removeClientRole } from '../../../rbac/assignments.ts';
import { findRole } from '../../../rbac/roles.ts';
import { DESTROY_NOTE, destroy } from './access.ts';
import { ClientRoleParams } from './schemas.ts';

const route = createRoute({
  method: 'delete',
  path: '/app-clients/{id}/roles/{roleId}',
  tags: ['app clients'],
  summary: 'Take a role from an app client',
  description:
    'Its tokens lose the role’s permissions in RLS at once and at the API within 10 seconds. ' +
    DESTROY_NOTE,
  ...destroy(),
  request: { params: ClientRoleParams },
  responses: { 204: { description: 'Removed' }, ...problemResponses(401, 403, 404, 422) },
});

export function registerAppClientRolesRemove(app: App): void {
  app.openapi(route, async (c) => {
    const { id, roleId } = c.req.valid('param');
    const removed = await withCaller(c, async (tx) => {
      const role = await findRole(tx, roleId);
      if (!role || !(await removeClientRole(tx, id, roleId))) return undefined;
      return role.name;
    });
    if (!removed) throw new AppError('not_found', { detail: 'The client does not hold that role' });
    c.var.services.appTokens.clear();
    await audit(c, 'app_client.role_removed', {
      targetType: 'app_client',
      targetId: id,
      metadata: { role: removed },
    });
    return c.body(null, 204);
  });
}
