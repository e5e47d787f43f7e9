import { createRoute, z } from '@hono/zod-openapi';
import { dailyStats, daysOf } from '../../../crm/analytics.ts';
import type { App } from '../../../http/context.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { RangeQuery, RangeSchema, rangeOf } from './crm-analytics-schemas.ts';
import { inProject } from './projects-access.ts';
import { ProjectIdParam } from './projects-schemas.ts';

const MessagesAnalytics = RangeSchema.extend({
  total_in: z.number().int(),
  total_out: z.number().int(),
  days: z
    .array(z.object({ day: z.string(), in: z.number().int(), out: z.number().int() }))
    .openapi({ description: 'Every day of the range, days without messages included' }),
}).openapi('MessagesAnalytics');

const route = createRoute({
  method: 'get',
  path: '/projects/{id}/analytics/messages',
  tags: ['analytics'],
  summary: 'Messages per day',
  description:
    'WhatsApp messages in and out per UTC day over the range (both ends included), from the ' +
    'daily summary the database keeps as messages are written. Members.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: { params: ProjectIdParam, query: RangeQuery },
  responses: {
    200: { description: 'Counts', content: { 'application/json': { schema: MessagesAnalytics } } },
    ...problemResponses(401, 403, 404, 422),
  },
});

export function registerCrmAnalyticsMessages(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const range = rangeOf(c.req.valid('query'), c.var.services.clock);
    const rows = await inProject(c, id, ({ tx }) => dailyStats(tx, id, range));
    const byDay = new Map(rows.map((r) => [r.day, r]));
    const days = daysOf(range).map((day) => ({
      day,
      in: byDay.get(day)?.messagesIn ?? 0,
      out: byDay.get(day)?.messagesOut ?? 0,
    }));
    return c.json(
      {
        ...range,
        total_in: days.reduce((n, d) => n + d.in, 0),
        total_out: days.reduce((n, d) => n + d.out, 0),
        days,
      },
      200,
    );
  });
}
