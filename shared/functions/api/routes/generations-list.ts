import { createRoute } from '@hono/zod-openapi';
import { GenerationStatus } from '../../../generations/events.ts';
import { listGenerations } from '../../../generations/generations.ts';
import type { App } from '../../../http/context.ts';
import { cursorCodec } from '../../../http/cursor.ts';
import { listQuerySchema, listResponseSchema, toPage } from '../../../http/list.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { readsHistoryByPermission } from '../../../projects/history.ts';
import { GenerationSchema, toGeneration } from './generations-schemas.ts';
import { auditHistoryRead } from './history-reads.ts';
import { inProject } from './projects-access.ts';
import { ProjectIdParam } from './projects-schemas.ts';

const GenerationsQuery = listQuerySchema({ sort: ['created_at'] }).extend({
  status: GenerationStatus.optional().openapi({ description: 'Only generations in this status' }),
});

const GenerationList = listResponseSchema('GenerationList', GenerationSchema);

const route = createRoute({
  method: 'get',
  path: '/projects/{id}/generations',
  tags: ['generations'],
  summary: "A project's generations",
  description:
    'Newest first by default; `status` keeps one status. Pages with the list convention ' +
    '(`limit`, `cursor`, `sort`, `order`). Members of the project see them.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: { params: ProjectIdParam, query: GenerationsQuery },
  responses: {
    200: {
      description: 'One page of generations',
      content: { 'application/json': { schema: GenerationList } },
    },
    ...problemResponses(401, 403, 404, 422),
  },
});

export function registerGenerationsList(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const query = c.req.valid('query');
    // Scoped to the project and the filter: a cursor of one list is refused on another.
    const scope = `generations:${id}:${query.status ?? '*'}`;
    const cursors = cursorCodec(c.var.services.config.CURSOR_SECRET, scope);
    const after = await cursors.decode(query);
    const { rows, byPermission } = await inProject(c, id, async ({ tx, project }) => ({
      rows: await listGenerations(tx, id, {
        status: query.status,
        order: query.order,
        after,
        limit: query.limit + 1,
      }),
      byPermission: project.role === null && (await readsHistoryByPermission(tx, id)),
    }));
    await auditHistoryRead(c, id, byPermission);
    return c.json(await toPage(cursors, query, rows, toGeneration), 200);
  });
}
