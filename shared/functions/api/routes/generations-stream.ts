import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { type GenerationEvent, TERMINAL_STATUSES } from '../../../generations/events.ts';
import { findGeneration, listEvents } from '../../../generations/generations.ts';
import type { App, AppEnv } from '../../../http/context.ts';
import { withCaller } from '../../../http/doors.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { inGeneration } from './generations-access.ts';
import { GenerationIdParam } from './generations-schemas.ts';

/** How often the stream looks for new events, and how long one response lasts at most. */
const POLL_MS = 200;
const MAX_STREAM_MS = 120_000;
const KEEPALIVE_MS = 15_000;
const PAGE = 500;

const StreamQuery = z.object({
  after: z.coerce.number().int().min(0).optional().openapi({
    description: 'Start after this seq (`Last-Event-ID` wins when both are sent)',
  }),
});

const route = createRoute({
  method: 'get',
  path: '/generations/{id}/stream',
  tags: ['generations'],
  summary: "A generation's events as Server-Sent Events",
  description:
    'Each event is an SSE message with `id` = seq, `event` = type and `data` = the event ' +
    'JSON (as broadcast and replayed). The stream ends after the `Result`; a response also ' +
    'ends after two minutes, and EventSource reconnects with `Last-Event-ID` to resume.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: { params: GenerationIdParam, query: StreamQuery },
  responses: {
    200: {
      description: 'The event stream',
      content: { 'text/event-stream': { schema: z.string() } },
    },
    ...problemResponses(401, 403, 404, 422),
  },
});

/** `Last-Event-ID` as a seq; a malformed one is ignored, as if absent. */
function lastEventId(c: Context<AppEnv>): number | undefined {
  const raw = c.req.header('last-event-id');
  return raw && /^\d{1,9}$/.test(raw) ? Number(raw) : undefined;
}

export function registerGenerationsStream(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    let after = lastEventId(c) ?? c.req.valid('query').after ?? 0;
    // Checked before the stream opens, so a hidden or missing generation is a plain 404.
    let first: GenerationEvent[] | undefined = await inGeneration(c, id, ({ tx }) =>
      listEvents(tx, id, { after, limit: PAGE }),
    );
    const clock = c.var.services.clock;
    const response = streamSSE(c, async (stream) => {
      const deadline = clock.now() + MAX_STREAM_MS;
      let quietSince = clock.now();
      let ended = false;
      await stream.write('retry: 1000\n\n');
      while (!stream.aborted && !ended && clock.now() < deadline) {
        const batch: GenerationEvent[] =
          first ??
          (await withCaller(c, async (tx) => {
            const events = await listEvents(tx, id, { after, limit: PAGE });
            // An ended generation with nothing more to send ends the stream, Result or not.
            if (!events.length) {
              const g = await findGeneration(tx, id);
              if (!g || TERMINAL_STATUSES.includes(g.status)) ended = true;
            }
            return events;
          }));
        first = undefined;
        for (const event of batch) {
          await stream.writeSSE({
            id: String(event.seq),
            event: event.type,
            data: JSON.stringify(event),
          });
          after = event.seq;
          if (event.type === 'Result') ended = true;
        }
        if (batch.length) quietSince = clock.now();
        else if (clock.now() - quietSince >= KEEPALIVE_MS) {
          await stream.write(': keep-alive\n\n');
          quietSince = clock.now();
        }
        if (!ended && batch.length < PAGE) await stream.sleep(POLL_MS);
      }
    });
    // Proxies must not hold the stream back to buffer it.
    response.headers.set('x-accel-buffering', 'no');
    return response as never;
  });
}
