import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../../http/context.ts';
import { cursorCodec } from '../../../http/cursor.ts';
import { withCaller } from '../../../http/doors.ts';
import { listQuerySchema, listResponseSchema, toPage } from '../../../http/list.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { listUserRoles } from '../../../rbac/assignments.ts';
import { READ_NOTE, read } from './access.ts';
import { HeldRoleSchema, toHeldRole, UserParam } from './schemas.ts';

const Query = listQuerySchema({ sort: ['name', 'granted_at'], defaultOrder: 'asc' });

const route = createRoute({
  method: 'get',
  path: '/users/{userId}/roles',
  tags: ['assignments'],
  summary: 'List the roles a user holds',
  description:
    'Roles assigned to the user; what they inherit is in each role’s ' +
    `\`effective_permissions\`. An unknown user holds none. Needs \`roles:read\`. ${READ_NOTE}`,
  ...read('roles:read'),
  request: { params: UserParam, query: Query },
  responses: {
    200: {
      description: 'One page of the user’s roles',
      content: {
        'application/json': { schema: listResponseSchema('HeldRoleList', HeldRoleSchema) },
      },
    },
    ...problemResponses(401, 403, 422),
  },
});

export function registerUserRolesList(app: App): void {
  app.openapi(route, async (c) => {
    const { userId } = c.req.valid('param');
    const query = c.req.valid('query');
    const cursors = cursorCodec(c.var.services.config.CURSOR_SECRET, `user-roles:${userId}`);
    const after = await cursors.decode(query);
    const rows = await withCaller(c, (tx) =>
      listUserRoles(tx, userId, { ...query, after, limit: query.limit + 1 }),
    );
    return c.json(await toPage(cursors, query, rows, toHeldRole), 200);
  });
}
