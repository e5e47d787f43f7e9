import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../../http/context.ts';
import { cursorCodec } from '../../../http/cursor.ts';
import { withCaller } from '../../../http/doors.ts';
import { listQuerySchema, listResponseSchema, toPage } from '../../../http/list.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { listRolePermissions } from '../../../rbac/assignments.ts';
import { findRole } from '../../../rbac/roles.ts';
import { READ_NOTE, read, roleNotFound } from './access.ts';
import { IdParam, RolePermissionSchema, toRolePermission } from './schemas.ts';

const Query = listQuerySchema({ sort: ['name'], defaultOrder: 'asc' });

const route = createRoute({
  method: 'get',
  path: '/roles/{id}/permissions',
  tags: ['roles'],
  summary: 'List the permissions a role has of its own',
  description: `Inherited ones are in the role’s \`effective_permissions\`. Needs \`roles:read\`. ${READ_NOTE}`,
  ...read('roles:read'),
  request: { params: IdParam, query: Query },
  responses: {
    200: {
      description: 'One page of the role’s permissions',
      content: {
        'application/json': {
          schema: listResponseSchema('RolePermissionList', RolePermissionSchema),
        },
      },
    },
    ...problemResponses(401, 403, 404, 422),
  },
});

export function registerRolePermissionsList(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const query = c.req.valid('query');
    const cursors = cursorCodec(c.var.services.config.CURSOR_SECRET, `role-permissions:${id}`);
    const after = await cursors.decode(query);
    const rows = await withCaller(c, async (tx) =>
      (await findRole(tx, id))
        ? listRolePermissions(tx, id, { order: query.order, after, limit: query.limit + 1 })
        : undefined,
    );
    if (!rows) throw roleNotFound();
    return c.json(await toPage(cursors, query, rows, toRolePermission), 200);
  });
}
