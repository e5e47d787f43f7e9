import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../../http/context.ts';
import { cursorCodec } from '../../../http/cursor.ts';
import { withCaller } from '../../../http/doors.ts';
import { listQuerySchema, listResponseSchema, toPage } from '../../../http/list.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { listPermissions } from '../../../rbac/permissions.ts';
import { READ_NOTE, read } from './access.ts';
import { PermissionSchema, toPermission } from './schemas.ts';

const PermissionsQuery = listQuerySchema({
  sort: ['name', 'created_at'],
  defaultOrder: 'asc',
}).extend({
  q: z.string().trim().min(1).max(100).optional().openapi({
    description: 'Only permissions whose name contains this (case-insensitive)',
    example: 'users:',
  }),
});

const route = createRoute({
  method: 'get',
  path: '/permissions',
  tags: ['permissions'],
  summary: 'List permissions',
  description: `Needs \`permissions:read\`. ${READ_NOTE} Pages with the list convention.`,
  ...read('permissions:read'),
  request: { query: PermissionsQuery },
  responses: {
    200: {
      description: 'One page of permissions',
      content: {
        'application/json': { schema: listResponseSchema('PermissionList', PermissionSchema) },
      },
    },
    ...problemResponses(401, 403, 422),
  },
});

export function registerPermissionsList(app: App): void {
  app.openapi(route, async (c) => {
    const query = c.req.valid('query');
    const cursors = cursorCodec(c.var.services.config.CURSOR_SECRET, 'permissions');
    const after = await cursors.decode(query);
    const rows = await withCaller(c, (tx) =>
      listPermissions(tx, { ...query, after, limit: query.limit + 1 }),
    );
    return c.json(await toPage(cursors, query, rows, toPermission), 200);
  });
}
