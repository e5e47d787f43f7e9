import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../../http/context.ts';
import { withCaller } from '../../../http/doors.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { createProject, findProject } from '../../../projects/projects.ts';
import { ProjectFields, ProjectSchema, toProject } from './projects-schemas.ts';

// Strict: `owner_id` and the like are refused, not silently dropped.
const CreateProjectBody = z
  .strictObject({
    name: ProjectFields.name,
    description: ProjectFields.description.optional(),
    settings: ProjectFields.settings.optional(),
  })
  .openapi('CreateProjectRequest', {
    example: { name: 'My First Integration', description: 'Integration for LikeMinds Chat SDK' },
  });

const route = createRoute({
  method: 'post',
  path: '/projects',
  tags: ['projects'],
  summary: 'Create a project',
  description: 'You become its owner. `settings` is a JSON object of at most 64 KB.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: {
    body: { required: true, content: { 'application/json': { schema: CreateProjectBody } } },
  },
  responses: {
    201: {
      description: 'The project',
      content: { 'application/json': { schema: ProjectSchema } },
    },
    ...problemResponses(401, 403, 422),
  },
});

export function registerProjectsCreate(app: App): void {
  app.openapi(route, async (c) => {
    const body = c.req.valid('json');
    const row = await withCaller(c, async (tx) => {
      const id = await createProject(tx, {
        name: body.name,
        description: body.description ?? null,
        settings: body.settings ?? {},
      });
      return findProject(tx, id);
    });
    // The insert committed as this caller, so only a broken schema could hide it now.
    if (!row) throw new Error('a created project is not visible to its owner');
    return c.json(toProject(row), 201);
  });
}
