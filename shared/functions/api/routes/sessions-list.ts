import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../../errors.ts';
import type { App } from '../../../http/context.ts';
import { cursorCodec } from '../../../http/cursor.ts';
import { withCaller } from '../../../http/doors.ts';
import { listQuerySchema, listResponseSchema, toPage } from '../../../http/list.ts';
import { currentUser, requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { listSessionPage, type SessionRow } from '../../../identity/session-pages.ts';
import { isInsufficientPrivilege } from '../../../identity/sessions.ts';

const SessionsQuery = listQuerySchema({ sort: ['created_at'] }).extend({
  user_id: z.uuid().optional().openapi({
    description: "Another user's sessions; needs `sessions:read`",
    example: '0b5b4b1e-3f0c-4a5e-9b1e-3f0c4a5e9b1e',
  }),
});

const iso = (d: Date | null) => d?.toISOString() ?? null;

const UserSessionSchema = z
  .object({
    id: z.uuid(),
    device: z.string().nullable().openapi({ description: 'The user agent that signed in' }),
    ip: z.string().nullable(),
    created_at: z.string().nullable(),
    last_refreshed_at: z.string().nullable(),
    aal: z.enum(['aal1', 'aal2', 'aal3']).nullable(),
    current: z.boolean().openapi({ description: 'The session of the token making this request' }),
  })
  .openapi('UserSession', {
    example: {
      id: '5f1c3a52-8d7e-4d0b-9a51-2f7c1e0d9b44',
      device: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5)',
      ip: '203.0.113.7',
      created_at: '2026-01-01T09:00:00.000Z',
      last_refreshed_at: '2026-01-01T10:00:00.000Z',
      aal: 'aal1',
      current: true,
    },
  });

const SessionList = listResponseSchema('UserSessionList', UserSessionSchema);

const route = createRoute({
  method: 'get',
  path: '/sessions',
  tags: ['sessions'],
  summary: 'List sessions',
  description:
    "Your own sessions, newest first; `user_id` lists another user's with `sessions:read`.",
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: { query: SessionsQuery },
  responses: {
    200: {
      description: 'One page of sessions',
      content: { 'application/json': { schema: SessionList } },
    },
    ...problemResponses(401, 403, 422),
  },
});

export function registerSessionsList(app: App): void {
  app.openapi(route, async (c) => {
    const user = currentUser(c.var.principal);
    const query = c.req.valid('query');
    const cursors = cursorCodec(c.var.services.config.CURSOR_SECRET, 'sessions');
    const after = await cursors.decode(query);
    const owner = query.user_id ?? user.id;
    // private.list_sessions decides: own sessions, or anyone's with sessions:read.
    const rows = await withCaller(c, (tx) =>
      listSessionPage(tx, owner, { order: query.order, after, limit: query.limit + 1 }),
    ).catch((err: unknown) => {
      if (!isInsufficientPrivilege(err)) throw err;
      throw new AppError('forbidden', { detail: 'Missing permission: sessions:read', cause: err });
    });
    const toItem = (s: SessionRow) => ({
      id: s.id,
      device: s.userAgent,
      ip: s.ip,
      created_at: iso(s.createdAt),
      last_refreshed_at: iso(s.refreshedAt ?? s.updatedAt),
      aal: s.aal,
      current: s.id === user.sessionId,
    });
    return c.json(await toPage(cursors, query, rows, toItem), 200);
  });
}
