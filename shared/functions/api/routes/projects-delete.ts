import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../../http/context.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { audit } from '../../../identity/audit-request.ts';
import { deleteProject } from '../../../projects/projects.ts';
import { inProject } from './projects-access.ts';
import { notAllowed, ProjectIdParam } from './projects-schemas.ts';

const route = createRoute({
  method: 'delete',
  path: '/projects/{id}',
  tags: ['projects'],
  summary: 'Delete a project',
  description:
    'Its owner, or a holder of `projects:write_all`. Members, generations and messages go ' +
    'with it. Other members get 403; anyone who cannot see the project, 404.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: { params: ProjectIdParam },
  responses: { 204: { description: 'Deleted' }, ...problemResponses(401, 403, 404, 422) },
});

export function registerProjectsDelete(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const ownerId = await inProject(c, id, async ({ tx, project }) => {
      // RLS filters a delete it refuses: zero rows on a project the caller can see.
      if (!(await deleteProject(tx, id))) throw notAllowed();
      return project.ownerId;
    });
    await audit(c, 'project.deleted', {
      targetType: 'project',
      targetId: id,
      metadata: { owner_id: ownerId },
    });
    return c.body(null, 204);
  });
}
