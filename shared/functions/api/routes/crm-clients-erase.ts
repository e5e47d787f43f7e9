import { createRoute, z } from '@hono/zod-openapi';
import { findClient } from '../../../crm/clients.ts';
import { eraseClientRows } from '../../../crm/gdpr.ts';
import type { App } from '../../../http/context.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { audit } from '../../../identity/audit-request.ts';
import { callerDocuments, storageError } from './crm-document-schemas.ts';
import { ClientParams, clientNotFound } from './crm-schemas.ts';
import { inProject } from './projects-access.ts';
import { notAllowed } from './projects-schemas.ts';

const EraseBody = z
  .strictObject({
    confirm: z.literal(true).openapi({ description: 'Erasing cannot be undone' }),
  })
  .openapi('EraseClientRequest', { example: { confirm: true } });

const Erased = z
  .object({
    client_id: z.uuid(),
    removed: z.record(z.string(), z.number().int()).openapi({
      description:
        'How many of each were removed: messages, documents, objects, webhook ' +
        'items and deliveries, broadcasts',
    }),
  })
  .openapi('ErasedClient', {
    example: {
      client_id: '6a1f0c9e-2b7d-4e3a-9f10-8c2d4e6f7a81',
      removed: { messages: 42, documents: 3, objects: 5, webhook_items: 30 },
    },
  });

const route = createRoute({
  method: 'post',
  path: '/projects/{id}/clients/{clientId}/erase',
  tags: ['crm'],
  summary: 'Erase a client (GDPR)',
  description:
    'The project owner only. Removes all personal data of the client: the profile, every ' +
    'message and send attempt, the timeline, every document row and every file under the ' +
    'client’s folder in Storage, the webhook items and raw deliveries that carried them, and ' +
    'the Realtime broadcasts still kept. Leaves a tombstone (`erase`, with these counts) in ' +
    'the client’s access log, which holds no personal data.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: {
    params: ClientParams,
    body: { required: true, content: { 'application/json': { schema: EraseBody } } },
  },
  responses: {
    200: { description: 'Erased', content: { 'application/json': { schema: Erased } } },
    ...problemResponses(400, 401, 403, 404, 422, 502),
  },
});

export function registerCrmClientsErase(app: App): void {
  app.openapi(route, async (c) => {
    const { id, clientId } = c.req.valid('param');
    const store = callerDocuments(c);
    const removed = await inProject(c, id, async ({ tx, project }) => {
      if (!(await findClient(tx, id, clientId))) throw clientNotFound();
      if (project.role !== 'owner') throw notAllowed();
      const folder = `${id}/clients/${clientId}/`;
      const fail = (err: unknown) => {
        throw storageError(err);
      };
      const paths = await store.list(folder).catch(fail);
      const counts = await eraseClientRows(tx, id, clientId, paths.length);
      if (!counts) throw clientNotFound();
      // Before the commit: if Storage fails, nothing is erased and the request can be repeated.
      await store.remove(paths).catch(fail);
      return counts;
    });
    await audit(c, 'crm.client_erased', {
      targetType: 'crm_client',
      targetId: clientId,
      metadata: { project_id: id },
    });
    return c.json({ client_id: clientId, removed }, 200);
  });
}
