import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../../http/context.ts';
import { cursorCodec } from '../../../http/cursor.ts';
import { withCaller } from '../../../http/doors.ts';
import { listQuerySchema, listResponseSchema, toPage } from '../../../http/list.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { listRoles } from '../../../rbac/roles.ts';
import { READ_NOTE, read } from './access.ts';
import { RoleSchema, toRole } from './schemas.ts';

const RolesQuery = listQuerySchema({ sort: ['name', 'created_at'], defaultOrder: 'asc' }).extend({
  q: z.string().trim().min(1).max(50).optional().openapi({
    description: 'Only roles whose name contains this (case-insensitive)',
    example: 'report',
  }),
});

const route = createRoute({
  method: 'get',
  path: '/roles',
  tags: ['roles'],
  summary: 'List roles',
  description: `Needs \`roles:read\`. ${READ_NOTE} Pages with the list convention.`,
  ...read('roles:read'),
  request: { query: RolesQuery },
  responses: {
    200: {
      description: 'One page of roles',
      content: { 'application/json': { schema: listResponseSchema('RoleList', RoleSchema) } },
    },
    ...problemResponses(401, 403, 422),
  },
});

export function registerRolesList(app: App): void {
  app.openapi(route, async (c) => {
    const query = c.req.valid('query');
    const cursors = cursorCodec(c.var.services.config.CURSOR_SECRET, 'roles');
    const after = await cursors.decode(query);
    const rows = await withCaller(c, (tx) =>
      listRoles(tx, { ...query, after, limit: query.limit + 1 }),
    );
    return c.json(await toPage(cursors, query, rows, toRole), 200);
  });
}
