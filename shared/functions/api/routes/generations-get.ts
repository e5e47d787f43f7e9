import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../../http/context.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { inGeneration } from './generations-access.ts';
import { GenerationIdParam, GenerationSchema, toGeneration } from './generations-schemas.ts';

const route = createRoute({
  method: 'get',
  path: '/generations/{id}',
  tags: ['generations'],
  summary: 'A generation',
  description: 'Its status and, once it ended, its result. Members of its project see it.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: { params: GenerationIdParam },
  responses: {
    200: {
      description: 'The generation',
      content: { 'application/json': { schema: GenerationSchema } },
    },
    ...problemResponses(401, 403, 404, 422),
  },
});

export function registerGenerationsGet(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const generation = await inGeneration(c, id, async (scope) => scope.generation);
    return c.json(toGeneration(generation), 200);
  });
}
