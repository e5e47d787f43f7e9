import { createRoute, z } from '@hono/zod-openapi';
import { GenerationEvent } from '../../../generations/events.ts';
import { listEvents } from '../../../generations/generations.ts';
import type { App } from '../../../http/context.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { inGeneration } from './generations-access.ts';
import { GenerationIdParam } from './generations-schemas.ts';

const EventsQuery = z.object({
  after: z.coerce.number().int().min(0).default(0).openapi({
    description: 'The seq of the last event you have; 0 for all',
    example: 0,
  }),
  limit: z.coerce.number().int().min(1).max(1000).default(500).openapi({ example: 500 }),
});

const EventPage = z
  .object({
    data: z.array(GenerationEvent),
    next_after: z.number().int().nullable().openapi({
      description: 'Ask again with this `after` for the rest; null when this page reached the end',
    }),
  })
  .openapi('GenerationEventPage');

const route = createRoute({
  method: 'get',
  path: '/generations/{id}/events',
  tags: ['generations'],
  summary: "Replay a generation's events",
  description:
    'The events after `after`, in seq order, exactly as they were broadcast on ' +
    '`generation:<id>`. A client that (re)subscribes asks for what it missed here.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: { params: GenerationIdParam, query: EventsQuery },
  responses: {
    200: { description: 'Events', content: { 'application/json': { schema: EventPage } } },
    ...problemResponses(401, 403, 404, 422),
  },
});

export function registerGenerationsEvents(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const query = c.req.valid('query');
    const events = await inGeneration(c, id, ({ tx }) =>
      listEvents(tx, id, { after: query.after, limit: query.limit }),
    );
    const full = events.length === query.limit;
    return c.json({ data: events, next_after: full ? (events.at(-1)?.seq ?? null) : null }, 200);
  });
}
