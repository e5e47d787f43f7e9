import { createRoute } from '@hono/zod-openapi';
import { listChannels } from '../../../crm/channels.ts';
import type { App } from '../../../http/context.ts';
import { cursorCodec } from '../../../http/cursor.ts';
import { listQuerySchema, listResponseSchema, toPage } from '../../../http/list.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { ChannelSchema, toChannel } from './crm-channel-schemas.ts';
import { inProject } from './projects-access.ts';
import { ProjectIdParam } from './projects-schemas.ts';

const ChannelsQuery = listQuerySchema({ sort: ['created_at'], defaultOrder: 'asc' });
const ChannelList = listResponseSchema('ChannelList', ChannelSchema);

const route = createRoute({
  method: 'get',
  path: '/projects/{id}/channels',
  tags: ['crm'],
  summary: "A project's WhatsApp numbers",
  description: 'Oldest first, with the list convention. Members see them; never their tokens.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: { params: ProjectIdParam, query: ChannelsQuery },
  responses: {
    200: {
      description: 'One page of channels',
      content: { 'application/json': { schema: ChannelList } },
    },
    ...problemResponses(401, 403, 404, 422),
  },
});

export function registerCrmChannelsList(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const query = c.req.valid('query');
    const cursors = cursorCodec(c.var.services.config.CURSOR_SECRET, `channels:${id}`);
    const after = await cursors.decode(query);
    const rows = await inProject(c, id, ({ tx }) =>
      listChannels(tx, id, { order: query.order, after, limit: query.limit + 1 }),
    );
    return c.json(await toPage(cursors, query, rows, toChannel), 200);
  });
}
