import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../../http/context.ts';
import { withCaller } from '../../../http/doors.ts';
import { currentUser, requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { audit } from '../../../identity/audit-request.ts';
import { updateProfile } from '../../../identity/profiles.ts';
import { findUser } from '../../../identity/users.ts';
import { ProfileFields, profilePatch, toUser, UserSchema, userNotFound } from './schemas.ts';

// Strict: `is_active`, `email` and the like are refused, not silently dropped.
const UpdateMeBody = z.strictObject(ProfileFields).openapi('UpdateMeRequest', {
  example: { username: 'ada', first_name: 'Ada', last_name: 'Lovelace', avatar_url: null },
});

const route = createRoute({
  method: 'put',
  path: '/users/me',
  tags: ['users'],
  summary: 'Edit your own profile',
  description:
    'Fields left out stay as they are; `null` clears a name or the avatar. Activation and the ' +
    'email address cannot be changed here.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: { body: { required: true, content: { 'application/json': { schema: UpdateMeBody } } } },
  responses: {
    200: {
      description: 'Your profile, updated',
      content: { 'application/json': { schema: UserSchema } },
    },
    ...problemResponses(401, 404, 409, 422),
  },
});

export function registerUsersMeUpdate(app: App): void {
  app.openapi(route, async (c) => {
    const user = currentUser(c.var.principal);
    const body = c.req.valid('json');
    const fields = Object.keys(body);
    const row = await withCaller(c, async (tx) => {
      // An empty body changes nothing, not even updated_at.
      if (fields.length && !(await updateProfile(tx, user.id, profilePatch(body))))
        return undefined;
      return findUser(tx, user.id);
    });
    if (!row) throw userNotFound();
    if (fields.length) {
      await audit(c, 'user.updated', {
        targetType: 'user',
        targetId: user.id,
        metadata: { fields },
      });
    }
    return c.json(toUser(row), 200);
  });
}
