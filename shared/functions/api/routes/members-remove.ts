import { createRoute } from '@hono/zod-openapi';
import { AppError } from '../../../errors.ts';
import type { App } from '../../../http/context.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { audit } from '../../../identity/audit-request.ts';
import { findMember, removeMember } from '../../../projects/members.ts';
import { inProject, manages } from './projects-access.ts';
import { MemberParams, memberNotFound, notAllowed } from './projects-schemas.ts';

const route = createRoute({
  method: 'delete',
  path: '/projects/{id}/members/{userId}',
  tags: ['projects'],
  summary: 'Remove a member, or leave',
  description:
    'The owner (or a holder of `projects:write_all`) removes any member but the owner; any ' +
    'other member may remove themselves. The owner leaves only after transferring the project.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: { params: MemberParams },
  responses: { 204: { description: 'Removed' }, ...problemResponses(401, 403, 404, 409, 422) },
});

export function registerMembersRemove(app: App): void {
  app.openapi(route, async (c) => {
    const { id, userId } = c.req.valid('param');
    const removed = await inProject(c, id, async ({ tx, project, user }) => {
      const member = await findMember(tx, id, userId);
      if (!member) throw memberNotFound();
      const self = userId === user.id;
      if (member.role === 'owner' && (self || manages(user, project)))
        throw new AppError('conflict', {
          detail: 'The owner cannot be removed; transfer the project first',
        });
      // RLS filters a delete it refuses: zero rows on a member the caller can see.
      if (!(await removeMember(tx, id, userId))) throw notAllowed();
      return { role: member.role, self };
    });
    await audit(c, 'project.member_removed', {
      targetType: 'project',
      targetId: id,
      metadata: { user_id: userId, role: removed.role, self: removed.self },
    });
    return c.body(null, 204);
  });
}
