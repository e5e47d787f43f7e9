import { createRoute, z } from '@hono/zod-openapi';
import { archiveClient, deleteClient, findClient } from '../../../crm/clients.ts';
import type { App } from '../../../http/context.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { audit } from '../../../identity/audit-request.ts';
import { enqueue } from '../../../jobs/enqueue.ts';
import { ClientParams, clientNotFound, unknownReference } from './crm-schemas.ts';
import { inProject } from './projects-access.ts';
import { notAllowed } from './projects-schemas.ts';

const flag = z.enum(['true', 'false']).optional();

const DeleteQuery = z.object({
  hard: flag.openapi({ description: 'Remove the client for good (needs `confirm=true`)' }),
  confirm: flag.openapi({ description: 'Required with `hard=true`' }),
});

const route = createRoute({
  method: 'delete',
  path: '/projects/{id}/clients/{clientId}',
  tags: ['crm'],
  summary: 'Archive or remove a client',
  description:
    'Owners and editors. By default the client is archived: hidden from the list (unless ' +
    '`status=archived`), kept whole, and brought back by giving it a status. With ' +
    '`hard=true&confirm=true` the client is removed with its conversations, events and files ' +
    '(Storage objects under `<project>/clients/<client>/` are removed by the worker). ' +
    '`hard=true` alone is a 422.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: { params: ClientParams, query: DeleteQuery },
  responses: {
    204: { description: 'Archived or removed' },
    ...problemResponses(401, 403, 404, 422),
  },
});

export function registerCrmClientsDelete(app: App): void {
  app.openapi(route, async (c) => {
    const { id, clientId } = c.req.valid('param');
    const { hard, confirm } = c.req.valid('query');
    if (hard === 'true' && confirm !== 'true') {
      throw unknownReference('query.confirm', 'Removing a client for good needs confirm=true');
    }
    const outcome = await inProject(c, id, async ({ tx, project }) => {
      const client = await findClient(tx, id, clientId);
      if (!client) throw clientNotFound();
      if (project.role !== 'owner' && project.role !== 'editor') throw notAllowed();
      if (hard === 'true') {
        if (!(await deleteClient(tx, id, clientId))) throw notAllowed();
        // Storage objects cannot be deleted with SQL: the worker removes them, and the job
        // commits with the delete or not at all.
        await enqueue(tx, 'crm.purge', { project_id: id, client_id: clientId });
        return 'deleted' as const;
      }
      const at = new Date(c.var.services.clock.now());
      return (await archiveClient(tx, id, clientId, at)) ? ('archived' as const) : null;
    });
    if (outcome) {
      await audit(c, `crm.client_${outcome}`, {
        targetType: 'crm_client',
        targetId: clientId,
        metadata: { project_id: id },
      });
    }
    return c.body(null, 204);
  });
}
