import { createRoute, z } from '@hono/zod-openapi';
import { recordAccess } from '../../../crm/access-events.ts';
import { LINK_SECONDS } from '../../../crm/document-store.ts';
import { findDocument } from '../../../crm/documents.ts';
import type { App } from '../../../http/context.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import {
  callerDocuments,
  DocumentParams,
  documentNotFound,
  storageError,
} from './crm-document-schemas.ts';
import { inProject } from './projects-access.ts';

const DocumentLink = z
  .object({
    url: z.url().openapi({ description: 'A signed Storage URL; works without a token' }),
    expires_at: z.string(),
  })
  .openapi('DocumentLink', {
    example: {
      url: 'https://example.supabase.co/storage/v1/object/sign/documents/…?token=…',
      expires_at: '2026-01-03T09:01:00.000Z',
    },
  });

const route = createRoute({
  method: 'get',
  path: '/projects/{id}/clients/{clientId}/documents/{documentId}/link',
  tags: ['crm'],
  summary: 'A download link',
  description:
    `A signed URL of the document, valid ${LINK_SECONDS} seconds, signed by Storage as the ` +
    'caller (so Storage’s own policies decide too). Members only; recorded in the client’s ' +
    'access log.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: { params: DocumentParams },
  responses: {
    200: { description: 'The link', content: { 'application/json': { schema: DocumentLink } } },
    ...problemResponses(401, 403, 404, 422, 502),
  },
});

export function registerCrmDocumentsLink(app: App): void {
  app.openapi(route, async (c) => {
    const { id, clientId, documentId } = c.req.valid('param');
    const store = callerDocuments(c);
    const link = await inProject(c, id, async ({ tx }) => {
      const doc = await findDocument(tx, id, clientId, documentId);
      if (!doc) throw documentNotFound();
      const url = await store.signedUrl(doc.objectPath, LINK_SECONDS).catch((err) => {
        throw storageError(err);
      });
      if (!url) throw documentNotFound();
      await recordAccess(tx, id, [clientId], 'document_link', { document_id: documentId });
      const expires = c.var.services.clock.now() + LINK_SECONDS * 1000;
      return { url, expires_at: new Date(expires).toISOString() };
    });
    return c.json(link, 200);
  });
}
