import { createRoute, z } from '@hono/zod-openapi';
import { dailyStats, daysOf } from '../../../crm/analytics.ts';
import type { App } from '../../../http/context.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { RangeQuery, RangeSchema, rangeOf } from './crm-analytics-schemas.ts';
import { inProject } from './projects-access.ts';
import { ProjectIdParam } from './projects-schemas.ts';

const seconds = z.number().nullable().openapi({ description: 'Seconds; null without replies' });

const ResponseTimes = RangeSchema.extend({
  responses: z.number().int(),
  average_seconds: seconds,
  max_seconds: seconds,
  days: z.array(
    z.object({
      day: z.string(),
      responses: z.number().int(),
      average_seconds: seconds,
      max_seconds: seconds,
    }),
  ),
}).openapi('ResponseTimesAnalytics');

const route = createRoute({
  method: 'get',
  path: '/projects/{id}/analytics/response-times',
  tags: ['analytics'],
  summary: 'Response times',
  description:
    'How long clients waited for a reply: from the first of their unanswered messages to the ' +
    'next message sent to them, counted on the reply’s UTC day. Members.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: { params: ProjectIdParam, query: RangeQuery },
  responses: {
    200: { description: 'Times', content: { 'application/json': { schema: ResponseTimes } } },
    ...problemResponses(401, 403, 404, 422),
  },
});

const round = (n: number) => Math.round(n * 10) / 10;

export function registerCrmAnalyticsResponseTimes(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const range = rangeOf(c.req.valid('query'), c.var.services.clock);
    const rows = await inProject(c, id, ({ tx }) => dailyStats(tx, id, range));
    const byDay = new Map(rows.map((r) => [r.day, r]));
    const days = daysOf(range).map((day) => {
      const r = byDay.get(day);
      const n = r?.responses ?? 0;
      return {
        day,
        responses: n,
        average_seconds: r && n ? round(r.responseSeconds / n) : null,
        max_seconds: r && n ? round(r.maxResponseSeconds) : null,
      };
    });
    const responses = rows.reduce((n, r) => n + r.responses, 0);
    const total = rows.reduce((n, r) => n + r.responseSeconds, 0);
    const max = rows.reduce((m, r) => Math.max(m, r.maxResponseSeconds), 0);
    return c.json(
      {
        ...range,
        responses,
        average_seconds: responses ? round(total / responses) : null,
        max_seconds: responses ? round(max) : null,
        days,
      },
      200,
    );
  });
}
