import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../../http/context.ts';
import { cursorCodec } from '../../../http/cursor.ts';
import { withCaller } from '../../../http/doors.ts';
import { listQuerySchema, listResponseSchema, toPage } from '../../../http/list.ts';
import { requireCaller, requirePermission } from '../../../http/middleware/auth.ts';
import { problemResponses, USERS_AND_APPS } from '../../../http/schemas.ts';
import { listUsers } from '../../../identity/users.ts';
import { toUser, UserSchema } from './schemas.ts';

const UsersQuery = listQuerySchema({ sort: ['created_at', 'username'] }).extend({
  q: z.string().trim().min(1).max(100).optional().openapi({
    description: 'Only users whose email or username contains this (case-insensitive)',
    example: 'ada',
  }),
});

const UserList = listResponseSchema('UserList', UserSchema);

const route = createRoute({
  method: 'get',
  path: '/users',
  tags: ['users'],
  summary: 'List users',
  description:
    'Needs `users:read`; users and app clients may call it. Pages with the list convention ' +
    '(`limit`, `cursor`, `sort`, `order`).',
  security: USERS_AND_APPS,
  middleware: [requireCaller(), requirePermission('users:read')] as const,
  request: { query: UsersQuery },
  responses: {
    200: {
      description: 'One page of users',
      content: { 'application/json': { schema: UserList } },
    },
    ...problemResponses(401, 403, 422),
  },
});

export function registerUsersList(app: App): void {
  app.openapi(route, async (c) => {
    const query = c.req.valid('query');
    const cursors = cursorCodec(c.var.services.config.CURSOR_SECRET, 'users');
    const after = await cursors.decode(query);
    const rows = await withCaller(c, (tx) =>
      listUsers(tx, {
        q: query.q,
        sort: query.sort,
        order: query.order,
        after,
        limit: query.limit + 1,
      }),
    );
    return c.json(await toPage(cursors, query, rows, toUser), 200);
  });
}
