import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../../http/context.ts';
import { queryAsCaller } from '../../../http/doors.ts';
import { currentUser, requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { userById } from '../../../identity/users.ts';
import { toUser, UserSchema, userNotFound } from './schemas.ts';

const route = createRoute({
  method: 'get',
  path: '/users/me',
  tags: ['users'],
  summary: 'Your own profile',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser({ beforeSecondFactor: true })] as const,
  responses: {
    200: { description: 'Your profile', content: { 'application/json': { schema: UserSchema } } },
    ...problemResponses(401, 404),
  },
});

export function registerUsersMeGet(app: App): void {
  app.openapi(route, async (c) => {
    const user = currentUser(c.var.principal);
    const [row] = await queryAsCaller(c, (tx) => userById(tx, user.id));
    // A token can outlive its user by a few seconds (deleted meanwhile).
    if (!row) throw userNotFound();
    return c.json(toUser(row), 200);
  });
}
