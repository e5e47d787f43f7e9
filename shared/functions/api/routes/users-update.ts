import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { can } from '../../../auth/principal.ts';
import { AppError } from '../../../errors.ts';
import type { App, AppEnv } from '../../../http/context.ts';
import { withCaller } from '../../../http/doors.ts';
import { currentUser, requirePermission, requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { audit } from '../../../identity/audit-request.ts';
import { setProfileActive, updateProfile } from '../../../identity/profiles.ts';
import { sessionIdsOf } from '../../../identity/session-pages.ts';
import { revokeSession } from '../../../identity/sessions.ts';
import { findUser } from '../../../identity/users.ts';
import { fromAuthError } from '../../auth/support/gotrue-errors.ts';
import {
  ProfileFields,
  profilePatch,
  toUser,
  UserIdParam,
  UserSchema,
  userNotFound,
} from './schemas.ts';

/** Supabase Auth has no "forever"; a hundred years is what its docs suggest. */
const BAN_FOREVER = '876000h';

const UpdateUserBody = z
  .strictObject({
    ...ProfileFields,
    is_active: z.boolean().optional().openapi({
      description:
        '`false` bans the user in Auth and ends all their sessions; `true` lifts the ban',
      example: false,
    }),
  })
  .openapi('UpdateUserRequest', { example: { is_active: false } });

const route = createRoute({
  method: 'patch',
  path: '/users/{id}',
  tags: ['users'],
  summary: 'Edit, deactivate or reactivate a user',
  description:
    'Needs `users:write`; deactivating also needs `sessions:read` and `sessions:revoke`, as it ' +
    'ends every session of the user. You cannot deactivate yourself.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser(), requirePermission('users:write')] as const,
  request: {
    params: UserIdParam,
    body: { required: true, content: { 'application/json': { schema: UpdateUserBody } } },
  },
  responses: {
    200: {
      description: 'The user, updated',
      content: { 'application/json': { schema: UserSchema } },
    },
    ...problemResponses(401, 403, 404, 409, 422, 502),
  },
});

async function setBan(c: Context<AppEnv>, id: string, active: boolean): Promise<void> {
  const { error } = await c.var.services
    .adminClient()
    .auth.admin.updateUserById(id, { ban_duration: active ? 'none' : BAN_FOREVER });
  if (error) throw fromAuthError(error);
}

export function registerUsersUpdate(app: App): void {
  app.openapi(route, async (c) => {
    const admin = currentUser(c.var.principal);
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const patch = profilePatch(body);
    const active = body.is_active;
    const fields = Object.keys(body).filter((k) => k !== 'is_active');
    if (active === false && id === admin.id)
      throw new AppError('conflict', { detail: 'You cannot deactivate yourself' });
    if (active === false && !(can(admin, 'sessions:read') && can(admin, 'sessions:revoke')))
      throw new AppError('forbidden', {
        detail: 'Missing permission: sessions:read, sessions:revoke',
      });

    let restoreBan: boolean | undefined; // the Auth ban state to put back if the transaction fails
    let ended: string[] = [];
    const row = await withCaller(c, async (tx) => {
      const before = await findUser(tx, id);
      if (!before) return undefined;
      if (fields.length) await updateProfile(tx, id, patch);
      if (active === undefined) return findUser(tx, id);
      await setProfileActive(tx, id, active);
      // Inside the transaction: if Auth refuses, the profile keeps its state. The ban comes
      // before ending sessions, so no sign-in or refresh can slip a new one in between.
      await setBan(c, id, active);
      if (before.isActive !== active) restoreBan = before.isActive;
      if (!active) {
        ended = await sessionIdsOf(tx, id);
        for (const sessionId of ended) await revokeSession(tx, sessionId);
      }
      return findUser(tx, id);
    }).catch(async (err: unknown) => {
      if (restoreBan !== undefined) await setBan(c, id, restoreBan).catch(() => undefined);
      throw err;
    });
    if (!row) throw userNotFound();

    // This instance stops honouring their tokens at once; others within the cache TTL.
    for (const sessionId of ended) c.var.services.sessions.forget(sessionId);
    const target = { targetType: 'user', targetId: id };
    if (fields.length) await audit(c, 'user.updated', { ...target, metadata: { fields } });
    if (active === false)
      await audit(c, 'user.deactivated', { ...target, metadata: { sessions_ended: ended.length } });
    if (active === true) await audit(c, 'user.activated', target);
    return c.json(toUser(row), 200);
  });
}
