import { createRoute } from '@hono/zod-openapi';
import { deleteDocument, findDocument } from '../../../crm/documents.ts';
import type { App } from '../../../http/context.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { audit } from '../../../identity/audit-request.ts';
import {
  callerDocuments,
  DocumentParams,
  documentNotFound,
  storageError,
} from './crm-document-schemas.ts';
import { inProject } from './projects-access.ts';
import { notAllowed } from './projects-schemas.ts';

const route = createRoute({
  method: 'delete',
  path: '/projects/{id}/clients/{clientId}/documents/{documentId}',
  tags: ['crm'],
  summary: 'Delete a document',
  description:
    'Owners and editors. The object leaves Storage and the row leaves the database together: ' +
    'if Storage refuses, the row stays.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: { params: DocumentParams },
  responses: {
    204: { description: 'Deleted' },
    ...problemResponses(401, 403, 404, 422, 502),
  },
});

export function registerCrmDocumentsDelete(app: App): void {
  app.openapi(route, async (c) => {
    const { id, clientId, documentId } = c.req.valid('param');
    const store = callerDocuments(c);
    await inProject(c, id, async ({ tx, project }) => {
      if (!(await findDocument(tx, id, clientId, documentId))) throw documentNotFound();
      if (project.role !== 'owner' && project.role !== 'editor') throw notAllowed();
      const path = await deleteDocument(tx, id, clientId, documentId);
      if (!path) throw notAllowed();
      // Inside the transaction: the row is deleted only if the object is.
      await store.remove([path]).catch((err) => {
        throw storageError(err);
      });
    });
    await audit(c, 'crm.document_deleted', {
      targetType: 'crm_document',
      targetId: documentId,
      metadata: { project_id: id, client_id: clientId },
    });
    return c.body(null, 204);
  });
}
