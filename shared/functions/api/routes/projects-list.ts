import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../../http/context.ts';
import { cursorCodec } from '../../../http/cursor.ts';
import { queryAsCaller } from '../../../http/doors.ts';
import { listQuerySchema, listResponseSchema, toPage } from '../../../http/list.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { listProjects } from '../../../projects/projects.ts';
import { ProjectSchema, toProject } from './projects-schemas.ts';

const ProjectsQuery = listQuerySchema({ sort: ['updated_at', 'name'] }).extend({
  q: z.string().trim().min(1).max(120).optional().openapi({
    description: 'Only projects whose name contains this (case-insensitive; `%` and `_` literal)',
    example: 'chat',
  }),
});

const ProjectList = listResponseSchema('ProjectList', ProjectSchema);

const route = createRoute({
  method: 'get',
  path: '/projects',
  tags: ['projects'],
  summary: 'List your projects',
  description:
    'The projects you are a member of, with your role in each; most recently updated first by ' +
    'default. Pages with the list convention (`limit`, `cursor`, `sort`, `order`).',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: { query: ProjectsQuery },
  responses: {
    200: {
      description: 'One page of projects',
      content: { 'application/json': { schema: ProjectList } },
    },
    ...problemResponses(401, 403, 422),
  },
});

export function registerProjectsList(app: App): void {
  app.openapi(route, async (c) => {
    const query = c.req.valid('query');
    const cursors = cursorCodec(c.var.services.config.CURSOR_SECRET, 'projects');
    const after = await cursors.decode(query);
    const rows = await queryAsCaller(c, (tx) =>
      listProjects(tx, {
        q: query.q,
        sort: query.sort,
        order: query.order,
        after,
        limit: query.limit + 1,
      }),
    );
    return c.json(await toPage(cursors, query, rows, toProject), 200);
  });
}
