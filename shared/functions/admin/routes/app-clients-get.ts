import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../../http/context.ts';
import { withCaller } from '../../../http/doors.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { findAppClient } from '../../../rbac/app-clients.ts';
import { clientNotFound, READ_NOTE, read } from './access.ts';
import { AppClientSchema, IdParam, toAppClient } from './schemas.ts';

const route = createRoute({
  method: 'get',
  path: '/app-clients/{id}',
  tags: ['app clients'],
  summary: 'Get an app client',
  description: `Never shows a secret. Needs \`app_clients:read\`. ${READ_NOTE}`,
  ...read('app_clients:read'),
  request: { params: IdParam },
  responses: {
    200: {
      description: 'The client',
      content: { 'application/json': { schema: AppClientSchema } },
    },
    ...problemResponses(401, 403, 404, 422),
  },
});

export function registerAppClientsGet(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const client = await withCaller(c, (tx) => findAppClient(tx, id));
    if (!client) throw clientNotFound();
    return c.json(toAppClient(client), 200);
  });
}
