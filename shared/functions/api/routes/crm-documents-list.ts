import { createRoute, z } from '@hono/zod-openapi';
import { recordAccess } from '../../../crm/access-events.ts';
import { findClient } from '../../../crm/clients.ts';
import { listDocuments } from '../../../crm/documents.ts';
import type { App } from '../../../http/context.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { DocumentSchema, toDocument } from './crm-document-schemas.ts';
import { ClientParams, clientNotFound } from './crm-schemas.ts';
import { inProject } from './projects-access.ts';

const DocumentList = z.object({ data: z.array(DocumentSchema) }).openapi('DocumentList');

const route = createRoute({
  method: 'get',
  path: '/projects/{id}/clients/{clientId}/documents',
  tags: ['crm'],
  summary: "A client's documents",
  description:
    'Every document of the client, uploads and WhatsApp media, newest first. Members only; ' +
    'the read is recorded in the client’s access log.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: { params: ClientParams },
  responses: {
    200: {
      description: 'The documents',
      content: { 'application/json': { schema: DocumentList } },
    },
    ...problemResponses(401, 403, 404, 422),
  },
});

export function registerCrmDocumentsList(app: App): void {
  app.openapi(route, async (c) => {
    const { id, clientId } = c.req.valid('param');
    const rows = await inProject(c, id, async ({ tx }) => {
      if (!(await findClient(tx, id, clientId))) throw clientNotFound();
      await recordAccess(tx, id, [clientId], 'documents');
      return listDocuments(tx, id, clientId);
    });
    return c.json({ data: rows.map(toDocument) }, 200);
  });
}
