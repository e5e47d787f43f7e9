import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../../http/context.ts';
import { cursorCodec } from '../../../http/cursor.ts';
import { withCaller } from '../../../http/doors.ts';
import { listQuerySchema, listResponseSchema, toPage } from '../../../http/list.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { listAppClients } from '../../../rbac/app-clients.ts';
import { READ_NOTE, read } from './access.ts';
import { AppClientSchema, toAppClient } from './schemas.ts';

const ClientsQuery = listQuerySchema({ sort: ['name', 'created_at'], defaultOrder: 'asc' }).extend({
  q: z.string().trim().min(1).max(100).optional().openapi({
    description: 'Only clients whose name contains this (case-insensitive)',
    example: 'report',
  }),
  enabled: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .openapi({ description: 'Only enabled (`true`) or disabled (`false`) clients' }),
});

const route = createRoute({
  method: 'get',
  path: '/app-clients',
  tags: ['app clients'],
  summary: 'List app clients',
  description: `Never shows secrets. Needs \`app_clients:read\`. ${READ_NOTE} Pages with the list convention.`,
  ...read('app_clients:read'),
  request: { query: ClientsQuery },
  responses: {
    200: {
      description: 'One page of clients',
      content: {
        'application/json': { schema: listResponseSchema('AppClientList', AppClientSchema) },
      },
    },
    ...problemResponses(401, 403, 422),
  },
});

export function registerAppClientsList(app: App): void {
  app.openapi(route, async (c) => {
    const query = c.req.valid('query');
    const cursors = cursorCodec(c.var.services.config.CURSOR_SECRET, 'app-clients');
    const after = await cursors.decode(query);
    const rows = await withCaller(c, (tx) =>
      listAppClients(tx, { ...query, after, limit: query.limit + 1 }),
    );
    return c.json(await toPage(cursors, query, rows, toAppClient), 200);
  });
}
