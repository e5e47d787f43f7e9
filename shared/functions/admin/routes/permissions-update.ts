import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../../http/context.ts';
import { withCaller } from '../../../http/doors.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { audit } from '../../../identity/audit-request.ts';
import { findPermission, updatePermission } from '../../../rbac/permissions.ts';
import { MANAGE_NOTE, manage, permissionNotFound } from './access.ts';
import { Description, IdParam, PermissionName, PermissionSchema, toPermission } from './schemas.ts';

const UpdatePermissionBody = z
  .strictObject({ name: PermissionName.optional(), description: Description.optional() })
  .openapi('UpdatePermissionRequest', { example: { description: 'Read every report' } });

const route = createRoute({
  method: 'patch',
  path: '/permissions/{id}',
  tags: ['permissions'],
  summary: 'Rename or re-describe a permission',
  description: `System permissions (those the code checks) keep their names: renaming one is a 409. ${MANAGE_NOTE}`,
  ...manage(),
  request: {
    params: IdParam,
    body: { required: true, content: { 'application/json': { schema: UpdatePermissionBody } } },
  },
  responses: {
    200: {
      description: 'The permission, updated',
      content: { 'application/json': { schema: PermissionSchema } },
    },
    ...problemResponses(401, 403, 404, 409, 422),
  },
});

export function registerPermissionsUpdate(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const permission = await withCaller(c, async (tx) =>
      (await updatePermission(tx, id, body)) ? findPermission(tx, id) : undefined,
    );
    if (!permission) throw permissionNotFound();
    c.var.services.grants.clear();
    c.var.services.appTokens.clear();
    await audit(c, 'permission.updated', {
      targetType: 'permission',
      targetId: id,
      metadata: { fields: Object.keys(body) },
    });
    return c.json(toPermission(permission), 200);
  });
}
