import { createRoute } from '@hono/zod-openapi';
import type { App } from '../../../http/context.ts';
import { withCaller } from '../../../http/doors.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { audit } from '../../../identity/audit-request.ts';
import { deleteAppClient, findAppClient } from '../../../rbac/app-clients.ts';
import { clientNotFound, DESTROY_NOTE, destroy } from './access.ts';
import { IdParam } from './schemas.ts';

const route = createRoute({
  method: 'delete',
  path: '/app-clients/{id}',
  tags: ['app clients'],
  summary: 'Delete an app client',
  description:
    'With its secrets and roles. The API refuses its tokens within 10 seconds, RLS at once. ' +
    DESTROY_NOTE,
  ...destroy(),
  request: { params: IdParam },
  responses: { 204: { description: 'Deleted' }, ...problemResponses(401, 403, 404, 422) },
});

export function registerAppClientsDelete(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const name = await withCaller(c, async (tx) => {
      const client = await findAppClient(tx, id);
      if (!client || !(await deleteAppClient(tx, id))) return undefined;
      return client.name;
    });
    if (!name) throw clientNotFound();
    c.var.services.appTokens.clear();
    await audit(c, 'app_client.deleted', {
      targetType: 'app_client',
      targetId: id,
      metadata: { name },
    });
    return c.body(null, 204);
  });
}
