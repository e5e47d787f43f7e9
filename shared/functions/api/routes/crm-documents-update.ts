import { createRoute, z } from '@hono/zod-openapi';
import { findDocument, setDocumentStatus } from '../../../crm/documents.ts';
import type { App } from '../../../http/context.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import {
  DocumentParams,
  DocumentSchema,
  DocumentStatus,
  documentNotFound,
  toDocument,
} from './crm-document-schemas.ts';
import { inProject } from './projects-access.ts';
import { notAllowed } from './projects-schemas.ts';

const UpdateDocumentBody = z
  .strictObject({ status: DocumentStatus })
  .openapi('UpdateDocumentRequest', { example: { status: 'verified' } });

const route = createRoute({
  method: 'patch',
  path: '/projects/{id}/clients/{clientId}/documents/{documentId}',
  tags: ['crm'],
  summary: 'Review a document',
  description:
    'Owners and editors set the status (`pending`, `verified`, `rejected`); the document ' +
    'records who set it and when.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: {
    params: DocumentParams,
    body: { required: true, content: { 'application/json': { schema: UpdateDocumentBody } } },
  },
  responses: {
    200: {
      description: 'The document',
      content: { 'application/json': { schema: DocumentSchema } },
    },
    ...problemResponses(400, 401, 403, 404, 422),
  },
});

export function registerCrmDocumentsUpdate(app: App): void {
  app.openapi(route, async (c) => {
    const { id, clientId, documentId } = c.req.valid('param');
    const { status } = c.req.valid('json');
    const row = await inProject(c, id, async ({ tx }) => {
      if (!(await findDocument(tx, id, clientId, documentId))) throw documentNotFound();
      const updated = await setDocumentStatus(tx, id, clientId, documentId, status);
      if (!updated) throw notAllowed();
      return updated;
    });
    return c.json(toDocument(row), 200);
  });
}
