import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../../http/context.ts';
import { withCaller } from '../../../http/doors.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { audit } from '../../../identity/audit-request.ts';
import { deleteRole, findRole } from '../../../rbac/roles.ts';
import { DESTROY_NOTE, destroy, roleNotFound } from './access.ts';
import { IdParam } from './schemas.ts';

const route = createRoute({
  method: 'delete',
  path: '/roles/{id}',
  tags: ['roles'],
  summary: 'Delete a role',
  description:
    'Its holders lose it; roles under it lose their parent. System roles, and a role whose ' +
    `loss would leave nobody with \`rbac:manage\`, are a 409. ${DESTROY_NOTE}`,
  ...destroy(),
  request: { params: IdParam },
  responses: { 204: { description: 'Deleted' }, ...problemResponses(401, 403, 404, 409, 422) },
});

export function registerRolesDelete(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const name = await withCaller(c, async (tx) => {
      const role = await findRole(tx, id);
      if (!role || !(await deleteRole(tx, id))) return undefined;
      return role.name;
    });
    if (!name) throw roleNotFound();
    c.var.services.grants.clear();
    c.var.services.appTokens.clear();
    await audit(c, 'role.deleted', { targetType: 'role', targetId: id, metadata: { name } });
    return c.body(null, 204);
  });
}
