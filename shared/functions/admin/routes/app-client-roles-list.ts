import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../../http/context.ts';
import { cursorCodec } from '../../../http/cursor.ts';
import { withCaller } from '../../../http/doors.ts';
import { listQuerySchema, listResponseSchema, toPage } from '../../../http/list.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { findAppClient } from '../../../rbac/app-clients.ts';
import { listClientRoles } from '../../../rbac/assignments.ts';
import { clientNotFound, READ_NOTE, read } from './access.ts';
import { HeldRoleSchema, IdParam, toHeldRole } from './schemas.ts';

const Query = listQuerySchema({ sort: ['name', 'granted_at'], defaultOrder: 'asc' });

const route = createRoute({
  method: 'get',
  path: '/app-clients/{id}/roles',
  tags: ['app clients'],
  summary: 'List the roles an app client holds',
  description: `Needs \`app_clients:read\`. ${READ_NOTE}`,
  ...read('app_clients:read'),
  request: { params: IdParam, query: Query },
  responses: {
    200: {
      description: 'One page of the client’s roles',
      content: {
        'application/json': { schema: listResponseSchema('AppClientRoleList', HeldRoleSchema) },
      },
    },
    ...problemResponses(401, 403, 404, 422),
  },
});

export function registerAppClientRolesList(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const query = c.req.valid('query');
    const cursors = cursorCodec(c.var.services.config.CURSOR_SECRET, `app-client-roles:${id}`);
    const after = await cursors.decode(query);
    const rows = await withCaller(c, async (tx) =>
      (await findAppClient(tx, id))
        ? listClientRoles(tx, id, { ...query, after, limit: query.limit + 1 })
        : undefined,
    );
    if (!rows) throw clientNotFound();
    return c.json(await toPage(cursors, query, rows, toHeldRole), 200);
  });
}
