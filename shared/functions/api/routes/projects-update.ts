import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../../http/context.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { findProject, updateProject } from '../../../projects/projects.ts';
import { inProject } from './projects-access.ts';
import {
  notAllowed,
  ProjectFields,
  ProjectIdParam,
  ProjectSchema,
  projectNotFound,
  toProject,
} from './projects-schemas.ts';

// Strict: `owner_id` changes only through a transfer, so it is refused here, not ignored.
const UpdateProjectBody = z
  .strictObject({
    name: ProjectFields.name.optional(),
    description: ProjectFields.description.optional(),
    settings: ProjectFields.settings.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'Give at least one of name, description, settings')
  .openapi('UpdateProjectRequest', {
    example: { name: 'Chat integration', settings: { flutter_channel: 'beta' } },
  });

const route = createRoute({
  method: 'put',
  path: '/projects/{id}',
  tags: ['projects'],
  summary: 'Edit a project',
  description:
    'Fields left out stay as they are; `settings` is replaced whole. Who may edit is decided ' +
    'by the database (see the project policies); ownership changes through `/transfer`.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: {
    params: ProjectIdParam,
    body: { required: true, content: { 'application/json': { schema: UpdateProjectBody } } },
  },
  responses: {
    200: {
      description: 'The project, updated',
      content: { 'application/json': { schema: ProjectSchema } },
    },
    ...problemResponses(401, 403, 404, 422),
  },
});

export function registerProjectsUpdate(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const row = await inProject(c, id, async ({ tx }) => {
      // RLS filters an update it refuses: zero rows on a project the caller can see.
      if (!(await updateProject(tx, id, body))) throw notAllowed();
      return findProject(tx, id);
    });
    if (!row) throw projectNotFound();
    return c.json(toProject(row), 200);
  });
}
