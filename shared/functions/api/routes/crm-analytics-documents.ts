import { createRoute, z } from '@hono/zod-openapi';
import { documentsByStatus } from '../../../crm/analytics.ts';
import { DOCUMENT_STATUSES } from '../../../crm/documents.ts';
import type { App } from '../../../http/context.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { RangeQuery, RangeSchema, rangeOf } from './crm-analytics-schemas.ts';
import { inProject } from './projects-access.ts';
import { ProjectIdParam } from './projects-schemas.ts';

const DocumentsAnalytics = RangeSchema.extend({
  total: z.number().int(),
  by_status: z.object({
    pending: z.number().int(),
    verified: z.number().int(),
    rejected: z.number().int(),
  }),
}).openapi('DocumentsAnalytics');

const route = createRoute({
  method: 'get',
  path: '/projects/{id}/analytics/documents',
  tags: ['analytics'],
  summary: 'Documents by status',
  description: 'Documents added in the range (UTC days, both included), by status. Members.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: { params: ProjectIdParam, query: RangeQuery },
  responses: {
    200: { description: 'Counts', content: { 'application/json': { schema: DocumentsAnalytics } } },
    ...problemResponses(401, 403, 404, 422),
  },
});

export function registerCrmAnalyticsDocuments(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const range = rangeOf(c.req.valid('query'), c.var.services.clock);
    const rows = await inProject(c, id, ({ tx }) => documentsByStatus(tx, id, range));
    const by = Object.fromEntries(DOCUMENT_STATUSES.map((s) => [s, 0])) as Record<
      (typeof DOCUMENT_STATUSES)[number],
      number
    >;
    for (const r of rows) by[r.status as keyof typeof by] = r.documents;
    return c.json(
      { ...range, total: rows.reduce((n, r) => n + r.documents, 0), by_status: by },
      200,
    );
  });
}
