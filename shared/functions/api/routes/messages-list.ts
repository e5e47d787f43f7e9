import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../../http/context.ts';
import { cursorCodec } from '../../../http/cursor.ts';
import { listQuerySchema, listResponseSchema, toPage } from '../../../http/list.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { readsHistoryByPermission } from '../../../projects/history.ts';
import { listMessages } from '../../../projects/messages.ts';
import { auditHistoryRead } from './history-reads.ts';
import { MessageSchema, toMessage } from './messages-schemas.ts';
import { inProject } from './projects-access.ts';
import { ProjectIdParam } from './projects-schemas.ts';

// A conversation reads top to bottom: oldest first unless asked otherwise.
const MessagesQuery = listQuerySchema({ sort: ['created_at'], defaultOrder: 'asc' });

const MessageList = listResponseSchema('ProjectMessageList', MessageSchema);

const route = createRoute({
  method: 'get',
  path: '/projects/{id}/messages',
  tags: ['projects'],
  summary: "A project's conversation history",
  description:
    'The messages of a project you are a member of, oldest first by default. Pages with the ' +
    'list convention (`limit`, `cursor`, `sort`, `order`). The history is private to members: ' +
    'an administrator who is not one sees the project but an empty history, unless they hold ' +
    '`projects:read_history`, and then every read is recorded in the audit log.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: { params: ProjectIdParam, query: MessagesQuery },
  responses: {
    200: {
      description: 'One page of messages',
      content: { 'application/json': { schema: MessageList } },
    },
    ...problemResponses(401, 403, 404, 422),
  },
});

export function registerMessagesList(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const query = c.req.valid('query');
    // Scoped to the project too: a cursor from one conversation is refused on another.
    const cursors = cursorCodec(c.var.services.config.CURSOR_SECRET, `messages:${id}`);
    const after = await cursors.decode(query);
    const { rows, byPermission } = await inProject(c, id, async ({ tx, project }) => ({
      rows: await listMessages(tx, id, { order: query.order, after, limit: query.limit + 1 }),
      // Asked of the database, which RLS also asked: the two can never disagree.
      byPermission: project.role === null && (await readsHistoryByPermission(tx, id)),
    }));
    await auditHistoryRead(c, id, byPermission);
    return c.json(await toPage(cursors, query, rows, toMessage), 200);
  });
}
