import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../../http/context.ts';
import { queryAsCaller } from '../../../http/doors.ts';
import { requireCaller, requirePermission } from '../../../http/middleware/auth.ts';
import { problemResponses, USERS_AND_APPS } from '../../../http/schemas.ts';
import { userById } from '../../../identity/users.ts';
import { toUser, UserIdParam, UserSchema, userNotFound } from './schemas.ts';

const route = createRoute({
  method: 'get',
  path: '/users/{id}',
  tags: ['users'],
  summary: 'A user by id',
  description: 'Needs `users:read`. Users and app clients may call it.',
  security: USERS_AND_APPS,
  middleware: [requireCaller(), requirePermission('users:read')] as const,
  request: { params: UserIdParam },
  responses: {
    200: { description: 'The user', content: { 'application/json': { schema: UserSchema } } },
    ...problemResponses(401, 403, 404, 422),
  },
});

export function registerUsersGet(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const [row] = await queryAsCaller(c, (tx) => userById(tx, id));
    if (!row) throw userNotFound();
    return c.json(toUser(row), 200);
  });
}
