import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { findClient } from '../../../crm/clients.ts';
import type { DocumentStore } from '../../../crm/document-store.ts';
import {
  cleanFileName,
  DOCUMENT_TYPES,
  documentProblem,
  MAX_DOCUMENT_BYTES,
} from '../../../crm/document-types.ts';
import { insertDocument } from '../../../crm/documents.ts';
import type { App, AppEnv } from '../../../http/context.ts';
import { withCaller } from '../../../http/doors.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import {
  callerDocuments,
  DocumentSchema,
  storageError,
  toDocument,
} from './crm-document-schemas.ts';
import { ClientParams, clientNotFound, unknownReference } from './crm-schemas.ts';
import { inProject } from './projects-access.ts';
import { notAllowed } from './projects-schemas.ts';

/** The upload route takes bodies this large (the file and the multipart framing). */
export const DOCUMENT_BODY_LIMIT = MAX_DOCUMENT_BYTES + 64 * 1024;

const UploadBody = z
  .object({
    file: z
      .custom<File>((v) => v instanceof File, { message: 'Attach the document as `file`' })
      .openapi({ type: 'string', format: 'binary', description: 'The document' }),
  })
  .openapi('UploadDocumentRequest');

const route = createRoute({
  method: 'post',
  path: '/projects/{id}/clients/{clientId}/documents',
  tags: ['crm'],
  summary: 'Upload a document',
  description:
    `Owners and editors. A multipart form with the file as \`file\`, at most ` +
    `${MAX_DOCUMENT_BYTES} bytes, of one of: ${DOCUMENT_TYPES.join(', ')} (the content must ` +
    'match the type). Kept in the private `documents` bucket under a name the server chooses; ' +
    'the uploaded name is only shown. Starts as `pending`.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: {
    params: ClientParams,
    body: { required: true, content: { 'multipart/form-data': { schema: UploadBody } } },
  },
  responses: {
    201: {
      description: 'Stored',
      content: { 'application/json': { schema: DocumentSchema } },
    },
    ...problemResponses(401, 403, 404, 413, 422, 502),
  },
});

export function registerCrmDocumentsUpload(app: App): void {
  app.openapi(route, async (c) => {
    const { id, clientId } = c.req.valid('param');
    const { file } = c.req.valid('form');
    const contentType = (file.type.split(';')[0] ?? '').trim().toLowerCase();
    const bytes = new Uint8Array(await file.arrayBuffer());
    const problem = documentProblem(contentType, bytes);
    if (problem) throw unknownReference('body.file', problem);
    const store = callerDocuments(c);
    let uploaded: string | undefined;
    const row = await inProject(c, id, async ({ tx, project, user }) => {
      if (!(await findClient(tx, id, clientId))) throw clientNotFound();
      if (project.role !== 'owner' && project.role !== 'editor') throw notAllowed();
      const doc = await insertDocument(tx, {
        id: crypto.randomUUID(),
        projectId: id,
        clientId,
        fileName: cleanFileName(file.name),
        contentType,
        sizeBytes: bytes.length,
        uploadedBy: user.id,
      });
      // The row and the object commit together: a refused upload rolls the row back.
      await store.upload(doc.objectPath, bytes, contentType).catch((err) => {
        throw storageError(err);
      });
      uploaded = doc.objectPath;
      return doc;
    }).catch(async (err: unknown) => {
      if (uploaded) await forgetUpload(c, store, uploaded);
      throw err;
    });
    return c.json(toDocument(row), 201);
  });
}

/**
 * Storage took the file but the transaction failed after it (at commit, or with the
 * connection): the object must not outlive its row. A commit whose answer was lost may have
 * kept the row, so the row is looked for first; when that cannot be known, the object stays.
 */
async function forgetUpload(c: Context<AppEnv>, store: DocumentStore, path: string) {
  const kept = await withCaller(
    c,
    (tx) => tx`select 1 from public.crm_documents where object_path = ${path}`,
  ).then(
    (rows) => rows.length > 0,
    () => undefined,
  );
  if (kept !== false) {
    if (kept === undefined) c.var.log.warn('an upload may have outlived its row', { path });
    return;
  }
  await store.remove([path]).catch((err: unknown) => {
    c.var.log.warn('could not remove an upload whose row failed', { path, err });
  });
}
