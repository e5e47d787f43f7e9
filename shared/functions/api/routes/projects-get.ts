import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../../http/context.ts';
import { queryAsCaller } from '../../../http/doors.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { projectById } from '../../../projects/projects.ts';
import { ProjectIdParam, ProjectSchema, projectNotFound, toProject } from './projects-schemas.ts';

const route = createRoute({
  method: 'get',
  path: '/projects/{id}',
  tags: ['projects'],
  summary: 'A project by id',
  description:
    'Members see their projects, with their `role`; holders of `projects:read_all` see every ' +
    'project (`role` null unless they are a member). Any other project answers 404.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: { params: ProjectIdParam },
  responses: {
    200: { description: 'The project', content: { 'application/json': { schema: ProjectSchema } } },
    ...problemResponses(401, 403, 404, 422),
  },
});

export function registerProjectsGet(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    // One statement, so one round trip: RLS hides what the caller may not see.
    const [project] = await queryAsCaller(c, (tx) => projectById(tx, id));
    if (!project) throw projectNotFound();
    return c.json(toProject(project), 200);
  });
}
