import { createRoute } from '@hono/zod-openapi';
import { saveClassifier } from '../../../crm/classifier-settings.ts';
import type { App } from '../../../http/context.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { ClassifierSchema } from './crm-classifier-get.ts';
import { inProject } from './projects-access.ts';
import { notAllowed, ProjectIdParam } from './projects-schemas.ts';

const route = createRoute({
  method: 'put',
  path: '/projects/{id}/classifier',
  tags: ['crm'],
  summary: "Replace the project's classifier",
  description:
    'Owners and editors set the rules and the threshold; messages that arrive afterwards are ' +
    'classified by them. Profile types set by hand are never overridden.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: {
    params: ProjectIdParam,
    body: { required: true, content: { 'application/json': { schema: ClassifierSchema } } },
  },
  responses: {
    200: {
      description: 'The classifier',
      content: { 'application/json': { schema: ClassifierSchema } },
    },
    ...problemResponses(401, 403, 404, 422),
  },
});

export function registerCrmClassifierUpdate(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const saved = await inProject(c, id, async ({ tx, project }) => {
      if (project.role !== 'owner' && project.role !== 'editor') throw notAllowed();
      return saveClassifier(tx, id, body);
    });
    return c.json(saved, 200);
  });
}
