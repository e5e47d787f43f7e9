import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../../http/context.ts';
import { cursorCodec } from '../../../http/cursor.ts';
import { listQuerySchema, listResponseSchema, toPage } from '../../../http/list.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { listMembers } from '../../../projects/members.ts';
import { inProject } from './projects-access.ts';
import { MemberSchema, ProjectIdParam, toMember } from './projects-schemas.ts';

const MembersQuery = listQuerySchema({ sort: ['created_at'], defaultOrder: 'asc' });

const MemberList = listResponseSchema('ProjectMemberList', MemberSchema);

const route = createRoute({
  method: 'get',
  path: '/projects/{id}/members',
  tags: ['projects'],
  summary: "List a project's members",
  description:
    'Every member of a project you can see, with their role; earliest first by default. Pages ' +
    'with the list convention (`limit`, `cursor`, `sort`, `order`).',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: { params: ProjectIdParam, query: MembersQuery },
  responses: {
    200: {
      description: 'One page of members',
      content: { 'application/json': { schema: MemberList } },
    },
    ...problemResponses(401, 403, 404, 422),
  },
});

export function registerMembersList(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const query = c.req.valid('query');
    // Scoped to the project too: a cursor from one project's members is refused on another's.
    const cursors = cursorCodec(c.var.services.config.CURSOR_SECRET, `members:${id}`);
    const after = await cursors.decode(query);
    const rows = await inProject(c, id, ({ tx }) =>
      listMembers(tx, id, { order: query.order, after, limit: query.limit + 1 }),
    );
    return c.json(await toPage(cursors, query, rows, toMember), 200);
  });
}
