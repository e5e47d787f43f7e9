import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../../http/context.ts';
import { withCaller } from '../../../http/doors.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { audit } from '../../../identity/audit-request.ts';
import { createRole, findRole } from '../../../rbac/roles.ts';
import { MANAGE_NOTE, manage } from './access.ts';
import { Description, RoleDetailSchema, RoleName, toRoleDetail } from './schemas.ts';

const CreateRoleBody = z
  .strictObject({
    name: RoleName,
    description: Description.optional(),
    parent_id: z.uuid().nullable().optional().openapi({
      description: 'The role to inherit permissions from',
    }),
  })
  .openapi('CreateRoleRequest', { example: { name: 'reporting', description: 'Reads reports' } });

const route = createRoute({
  method: 'post',
  path: '/roles',
  tags: ['roles'],
  summary: 'Create a role',
  description: `A role holds its own permissions and inherits its parent’s. ${MANAGE_NOTE}`,
  ...manage(),
  request: {
    body: { required: true, content: { 'application/json': { schema: CreateRoleBody } } },
  },
  responses: {
    201: {
      description: 'The role',
      content: { 'application/json': { schema: RoleDetailSchema } },
    },
    ...problemResponses(401, 403, 409, 422),
  },
});

export function registerRolesCreate(app: App): void {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    const role = await withCaller(c, async (tx) => {
      const id = await createRole(tx, {
        name: body.name,
        description: body.description,
        parentId: body.parent_id,
      });
      return findRole(tx, id);
    });
    if (!role) throw new Error('a created role was not found');
    await audit(c, 'role.created', {
      targetType: 'role',
      targetId: role.id,
      metadata: { name: role.name, parent_id: role.parentId },
    });
    return c.json(toRoleDetail(role), 201);
  });
}
