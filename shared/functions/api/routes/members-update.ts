import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../../errors.ts';
import type { App } from '../../../http/context.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { audit } from '../../../identity/audit-request.ts';
import { findMember, setMemberRole } from '../../../projects/members.ts';
import { inProject, manages } from './projects-access.ts';
import {
  MemberParams,
  MemberRole,
  MemberSchema,
  memberNotFound,
  notAllowed,
  toMember,
} from './projects-schemas.ts';

const UpdateMemberBody = z
  .strictObject({ role: MemberRole })
  .openapi('UpdateProjectMemberRequest', { example: { role: 'viewer' } });

const route = createRoute({
  method: 'patch',
  path: '/projects/{id}/members/{userId}',
  tags: ['projects'],
  summary: "Change a member's role",
  description:
    'The owner (or a holder of `projects:write_all`) switches a member between editor and ' +
    "viewer. The owner's own role changes only through `/transfer`.",
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: {
    params: MemberParams,
    body: { required: true, content: { 'application/json': { schema: UpdateMemberBody } } },
  },
  responses: {
    200: {
      description: 'The member, updated',
      content: { 'application/json': { schema: MemberSchema } },
    },
    ...problemResponses(401, 403, 404, 409, 422),
  },
});

export function registerMembersUpdate(app: App): void {
  app.openapi(route, async (c) => {
    const { id, userId } = c.req.valid('param');
    const { role } = c.req.valid('json');
    const result = await inProject(c, id, async ({ tx, project, user }) => {
      const before = await findMember(tx, id, userId);
      if (!before) throw memberNotFound();
      // Only those who manage members are told why; everyone else just may not.
      if (before.role === 'owner' && manages(user, project))
        throw new AppError('conflict', {
          detail: "The owner's role changes only by transferring the project",
        });
      // RLS filters an update it refuses (not the owner, own row): zero rows.
      if (!(await setMemberRole(tx, id, userId, role))) throw notAllowed();
      return { before, after: await findMember(tx, id, userId) };
    });
    if (!result.after) throw memberNotFound();
    if (result.before.role !== result.after.role) {
      await audit(c, 'project.member_role_changed', {
        targetType: 'project',
        targetId: id,
        metadata: { user_id: userId, from: result.before.role, to: result.after.role },
      });
    }
    return c.json(toMember(result.after), 200);
  });
}
