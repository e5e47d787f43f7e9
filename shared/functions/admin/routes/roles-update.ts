import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../../http/context.ts';
import { withCaller } from '../../../http/doors.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { audit } from '../../../identity/audit-request.ts';
import { findRole, updateRole } from '../../../rbac/roles.ts';
import { MANAGE_NOTE, manage, roleNotFound } from './access.ts';
import { Description, IdParam, RoleDetailSchema, RoleName, toRoleDetail } from './schemas.ts';

const UpdateRoleBody = z
  .strictObject({
    name: RoleName.optional(),
    description: Description.optional(),
    parent_id: z.uuid().nullable().optional().openapi({ description: '`null` removes the parent' }),
  })
  .openapi('UpdateRoleRequest', { example: { parent_id: null } });

const route = createRoute({
  method: 'patch',
  path: '/roles/{id}',
  tags: ['roles'],
  summary: 'Rename, re-describe or re-parent a role',
  description:
    'A parent that would make the role its own ancestor is a 409, as is renaming a system ' +
    'role or taking away the last path to `rbac:manage`. Holders’ tokens carry the change ' +
    `from their next refresh; the API’s checks see it within 10 seconds. ${MANAGE_NOTE}`,
  ...manage(),
  request: {
    params: IdParam,
    body: { required: true, content: { 'application/json': { schema: UpdateRoleBody } } },
  },
  responses: {
    200: {
      description: 'The role, updated',
      content: { 'application/json': { schema: RoleDetailSchema } },
    },
    ...problemResponses(401, 403, 404, 409, 422),
  },
});

export function registerRolesUpdate(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const role = await withCaller(c, async (tx) => {
      const found = await updateRole(tx, id, {
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.description !== undefined ? { description: body.description } : {}),
        ...(body.parent_id !== undefined ? { parentId: body.parent_id } : {}),
      });
      return found ? findRole(tx, id) : undefined;
    });
    if (!role) throw roleNotFound();
    // This instance sees the change at once; the others within their 10 s caches.
    c.var.services.grants.clear();
    c.var.services.appTokens.clear();
    await audit(c, 'role.updated', {
      targetType: 'role',
      targetId: id,
      metadata: { fields: Object.keys(body) },
    });
    return c.json(toRoleDetail(role), 200);
  });
}
