import { createRoute, z } from '@hono/zod-openapi';
import { clientsByProfileType } from '../../../crm/analytics.ts';
import type { App } from '../../../http/context.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { RangeQuery, RangeSchema, rangeOf } from './crm-analytics-schemas.ts';
import { inProject } from './projects-access.ts';
import { ProjectIdParam } from './projects-schemas.ts';

const ClientsAnalytics = RangeSchema.extend({
  total: z.number().int(),
  by_profile_type: z.array(
    z.object({
      profile_type: z.string().nullable().openapi({ description: 'null: not classified' }),
      clients: z.number().int(),
    }),
  ),
}).openapi('ClientsAnalytics');

const route = createRoute({
  method: 'get',
  path: '/projects/{id}/analytics/clients',
  tags: ['analytics'],
  summary: 'Clients by profile type',
  description: 'Clients created in the range (UTC days, both included), by profile type. Members.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: { params: ProjectIdParam, query: RangeQuery },
  responses: {
    200: { description: 'Counts', content: { 'application/json': { schema: ClientsAnalytics } } },
    ...problemResponses(401, 403, 404, 422),
  },
});

export function registerCrmAnalyticsClients(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const range = rangeOf(c.req.valid('query'), c.var.services.clock);
    const rows = await inProject(c, id, ({ tx }) => clientsByProfileType(tx, id, range));
    return c.json(
      {
        ...range,
        total: rows.reduce((n, r) => n + r.clients, 0),
        by_profile_type: rows.map((r) => ({ profile_type: r.profileType, clients: r.clients })),
      },
      200,
    );
  });
}
