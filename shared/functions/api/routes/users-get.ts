import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../../http/context.ts';
import { withCaller } from '../../../http/doors.ts';
import { requirePermission, requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { findUser } from '../../../identity/users.ts';
import { toUser, UserIdParam, UserSchema, userNotFound } from './schemas.ts';

const route = createRoute({
  method: 'get',
  path: '/users/{id}',
  tags: ['users'],
  summary: 'A user by id',
  description: 'Needs `users:read`.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser(), requirePermission('users:read')] as const,
  request: { params: UserIdParam },
  responses: {
    200: { description: 'The user', content: { 'application/json': { schema: UserSchema } } },
    ...problemResponses(401, 403, 404, 422),
  },
});

export function registerUsersGet(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const row = await withCaller(c, (tx) => findUser(tx, id));
    if (!row) throw userNotFound();
    return c.json(toUser(row), 200);
  });
}
