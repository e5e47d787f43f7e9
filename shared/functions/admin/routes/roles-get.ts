import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../../http/context.ts';
import { withCaller } from '../../../http/doors.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { findRole } from '../../../rbac/roles.ts';
import { READ_NOTE, read, roleNotFound } from './access.ts';
import { IdParam, RoleDetailSchema, toRoleDetail } from './schemas.ts';

const route = createRoute({
  method: 'get',
  path: '/roles/{id}',
  tags: ['roles'],
  summary: 'Get a role, with its own and its effective permissions',
  description: `Needs \`roles:read\`. ${READ_NOTE}`,
  ...read('roles:read'),
  request: { params: IdParam },
  responses: {
    200: {
      description: 'The role',
      content: { 'application/json': { schema: RoleDetailSchema } },
    },
    ...problemResponses(401, 403, 404, 422),
  },
});

export function registerRolesGet(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const role = await withCaller(c, (tx) => findRole(tx, id));
    if (!role) throw roleNotFound();
    return c.json(toRoleDetail(role), 200);
  });
}
