import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../../errors.ts';
import type { App } from '../../../http/context.ts';
import { currentUser, requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { audit } from '../../../identity/audit-request.ts';
import { limitAttempt } from '../../../identity/limit-attempt.ts';
import { addMember, findMember, findUserIdByEmail } from '../../../projects/members.ts';
import { inProject, manages } from './projects-access.ts';
import {
  MemberRole,
  MemberSchema,
  notAllowed,
  ProjectIdParam,
  toMember,
} from './projects-schemas.ts';

const AddMemberBody = z
  .strictObject({
    email: z.email().max(320).optional().openapi({ example: 'grace@example.com' }),
    user_id: z.uuid().optional().openapi({ example: '7d4e2c1a-5b3f-4e6d-8c9a-1b2c3d4e5f60' }),
    role: MemberRole,
  })
  .refine((b) => (b.email === undefined) !== (b.user_id === undefined), {
    message: 'Give either email or user_id',
    path: ['email'],
  })
  .openapi('AddProjectMemberRequest', { example: { email: 'grace@example.com', role: 'editor' } });

// The same answer whether the address is unknown or the user is gone: nothing else to learn.
const noSuchUser = () => new AppError('not_found', { detail: 'No user to add was found' });

const route = createRoute({
  method: 'post',
  path: '/projects/{id}/members',
  tags: ['projects'],
  summary: 'Share a project',
  description:
    'The owner (or a holder of `projects:write_all`) adds a user, by `email` or `user_id`, as ' +
    'an editor or a viewer. Sharing by email is rate-limited per caller.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: {
    params: ProjectIdParam,
    body: { required: true, content: { 'application/json': { schema: AddMemberBody } } },
  },
  responses: {
    201: {
      description: 'The new member',
      content: { 'application/json': { schema: MemberSchema } },
    },
    ...problemResponses(401, 403, 404, 409, 422, 429),
  },
});

export function registerMembersAdd(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    // Counted before the transaction (a request holds one at a time), so looking up
    // addresses is limited for everyone who tries, whether or not they may share.
    if (body.email !== undefined) await limitAttempt(c, 'share', currentUser(c.var.principal).id);
    const member = await inProject(c, id, async ({ tx, project, user }) => {
      // Refused before any lookup, so a member who may not share cannot probe addresses.
      if (!manages(user, project)) throw notAllowed();
      const userId =
        body.email !== undefined ? await findUserIdByEmail(tx, body.email) : body.user_id;
      if (!userId) throw noSuchUser();
      if (await findMember(tx, id, userId))
        throw new AppError('conflict', { detail: 'That user is already a member' });
      await addMember(tx, id, userId, body.role);
      // A concurrent add of the same user, or an id that names no user, fails on the
      // membership's key: the error mapper answers 409 or 404 by its name.
      return findMember(tx, id, userId);
    });
    if (!member) throw new Error('a member just added is not visible to the one who added them');
    await audit(c, 'project.member_added', {
      targetType: 'project',
      targetId: id,
      metadata: { user_id: member.userId, role: member.role, by_email: body.email !== undefined },
    });
    return c.json(toMember(member), 201);
  });
}
