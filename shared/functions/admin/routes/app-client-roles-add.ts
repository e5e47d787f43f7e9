import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../../http/context.ts';
import { withCaller } from '../../../http/doors.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { audit } from '../../../identity/audit-request.ts';
import { findAppClient } from '../../../rbac/app-clients.ts';
import { addClientRole } from '../../../rbac/assignments.ts';
import { findRole } from '../../../rbac/roles.ts';
import { clientNotFound, MANAGE_NOTE, manage, roleNotFound } from './access.ts';
import { ClientRoleParams } from './schemas.ts';

const route = createRoute({
  method: 'put',
  path: '/app-clients/{id}/roles/{roleId}',
  tags: ['app clients'],
  summary: 'Give an app client a role',
  description:
    'Idempotent. Its permissions reach the client’s next token (a token never carries more ' +
    `than its scope). ${MANAGE_NOTE}`,
  ...manage(),
  request: { params: ClientRoleParams },
  responses: {
    204: { description: 'The client holds the role' },
    ...problemResponses(401, 403, 404, 422),
  },
});

export function registerAppClientRolesAdd(app: App): void {
  app.openapi(route, async (c) => {
    const { id, roleId } = c.req.valid('param');
    const added = await withCaller(c, async (tx) => {
      if (!(await findAppClient(tx, id))) throw clientNotFound();
      const role = await findRole(tx, roleId);
      if (!role) throw roleNotFound();
      return (await addClientRole(tx, id, roleId)) ? role.name : undefined;
    });
    if (added) {
      c.var.services.appTokens.clear();
      await audit(c, 'app_client.role_added', {
        targetType: 'app_client',
        targetId: id,
        metadata: { role: added },
      });
    }
    return c.body(null, 204);
  });
}
