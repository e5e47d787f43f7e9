import { createRoute } from '@hono/zod-openapi';
import { recordAccess } from '../../../crm/access-events.ts';
import { findClient } from '../../../crm/clients.ts';
import type { App } from '../../../http/context.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { ClientParams, ClientSchema, clientNotFound, toClient } from './crm-schemas.ts';
import { inProject } from './projects-access.ts';

const route = createRoute({
  method: 'get',
  path: '/projects/{id}/clients/{clientId}',
  tags: ['crm'],
  summary: 'A client',
  description: "Members read their projects' clients, archived ones included.",
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: { params: ClientParams },
  responses: {
    200: { description: 'The client', content: { 'application/json': { schema: ClientSchema } } },
    ...problemResponses(401, 403, 404, 422),
  },
});

export function registerCrmClientsGet(app: App): void {
  app.openapi(route, async (c) => {
    const { id, clientId } = c.req.valid('param');
    const client = await inProject(c, id, async ({ tx }) => {
      const found = await findClient(tx, id, clientId);
      if (found) await recordAccess(tx, id, [clientId], 'read');
      return found;
    });
    if (!client) throw clientNotFound();
    return c.json(toClient(client), 200);
  });
}
