import { createRoute } from '@hono/zod-openapi';
import { AppError } from '../../../errors.ts';
import { findGeneration, requestCancel } from '../../../generations/generations.ts';
import type { App } from '../../../http/context.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { audit } from '../../../identity/audit-request.ts';
import { cancelJob } from '../../../jobs/enqueue.ts';
import { inGeneration } from './generations-access.ts';
import {
  GenerationIdParam,
  GenerationSchema,
  generationNotFound,
  toGeneration,
} from './generations-schemas.ts';

const route = createRoute({
  method: 'post',
  path: '/generations/{id}/cancel',
  tags: ['generations'],
  summary: 'Cancel a generation',
  description:
    'Editors and owners. A queued generation ends `cancelled` at once (200). A running one is ' +
    'stopped by its worker within seconds, its processes and preview killed (202: follow its ' +
    'events for the end). One that has already ended is a 409.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: { params: GenerationIdParam },
  responses: {
    200: {
      description: 'Cancelled',
      content: { 'application/json': { schema: GenerationSchema } },
    },
    202: {
      description: 'Its worker is stopping it',
      content: { 'application/json': { schema: GenerationSchema } },
    },
    ...problemResponses(401, 403, 404, 409, 422),
  },
});

export function registerGenerationsCancel(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { outcome, generation } = await inGeneration(c, id, async ({ tx }) => {
      const outcome = await requestCancel(tx, id);
      // Queued: its job goes with it, in this transaction, so no worker ever starts it.
      if (outcome === 'cancelled') await cancelJob(tx, 'generation', id);
      return { outcome, generation: await findGeneration(tx, id) };
    });
    if (outcome === 'missing' || !generation) throw generationNotFound();
    if (outcome === 'ended') {
      throw new AppError('conflict', { detail: 'The generation has already ended' });
    }
    await audit(c, 'generation.cancel_requested', {
      targetType: 'generation',
      targetId: id,
      metadata: { project_id: generation.projectId, outcome },
    });
    return c.json(toGeneration(generation), outcome === 'cancelled' ? 200 : 202);
  });
}
