import { createRoute } from '@hono/zod-openapi';
import { recordAccess } from '../../../crm/access-events.ts';
import { findClient } from '../../../crm/clients.ts';
import { listTimeline } from '../../../crm/timeline.ts';
import type { App } from '../../../http/context.ts';
import { cursorCodec } from '../../../http/cursor.ts';
import { listQuerySchema, listResponseSchema, toPage } from '../../../http/list.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { TimelineEntrySchema, toTimelineEntry } from './crm-message-schemas.ts';
import { ClientParams, clientNotFound } from './crm-schemas.ts';
import { inProject } from './projects-access.ts';

const TimelineQuery = listQuerySchema({ sort: ['occurred_at'] });

const Timeline = listResponseSchema('ClientTimeline', TimelineEntrySchema);

const route = createRoute({
  method: 'get',
  path: '/projects/{id}/clients/{clientId}/timeline',
  tags: ['crm'],
  summary: "A client's timeline",
  description:
    'Messages in and out (with their statuses, media and every send attempt) and what ' +
    'happened to the client (created, classified and why, profile type or status changed, ' +
    'and by whom), newest first. Pages with the list convention. Members only.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: { params: ClientParams, query: TimelineQuery },
  responses: {
    200: {
      description: 'One page of the timeline',
      content: { 'application/json': { schema: Timeline } },
    },
    ...problemResponses(401, 403, 404, 422),
  },
});

export function registerCrmClientsTimeline(app: App): void {
  app.openapi(route, async (c) => {
    const { id, clientId } = c.req.valid('param');
    const query = c.req.valid('query');
    const cursors = cursorCodec(c.var.services.config.CURSOR_SECRET, `timeline:${clientId}`);
    const after = await cursors.decode(query);
    const rows = await inProject(c, id, async ({ tx }) => {
      if (!(await findClient(tx, id, clientId))) throw clientNotFound();
      await recordAccess(tx, id, [clientId], 'timeline');
      return listTimeline(tx, clientId, { order: query.order, after, limit: query.limit + 1 });
    });
    return c.json(await toPage(cursors, query, rows, toTimelineEntry), 200);
  });
}
