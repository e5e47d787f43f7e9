import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { type DocumentStore, documentStore, StorageFailure } from '../../../crm/document-store.ts';
import { DOCUMENT_STATUSES, type DocumentRow } from '../../../crm/documents.ts';
import { AppError } from '../../../errors.ts';
import type { AppEnv } from '../../../http/context.ts';
import { ClientParams } from './crm-schemas.ts';

/** Shared by the document routes: params, what a document looks like, Storage as the caller. */

export const DocumentParams = ClientParams.extend({
  documentId: z.uuid().openapi({
    param: { name: 'documentId', in: 'path' },
    example: '7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f',
  }),
});

export const DocumentStatus = z.enum(DOCUMENT_STATUSES).openapi('DocumentStatus');

export const DocumentSchema = z
  .object({
    id: z.uuid(),
    client_id: z.uuid(),
    file_name: z.string().openapi({ description: 'The name it was uploaded with, cleaned' }),
    content_type: z.string(),
    size_bytes: z.number().int(),
    source: z.enum(['upload', 'whatsapp']),
    message_id: z.uuid().nullable().openapi({ description: 'The WhatsApp message it came with' }),
    status: DocumentStatus,
    status_changed_by: z.uuid().nullable().openapi({ description: 'Who set the status last' }),
    status_changed_at: z.string().nullable(),
    uploaded_by: z.uuid().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Document', {
    example: {
      id: '7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f',
      client_id: '6a1f0c9e-2b7d-4e3a-9f10-8c2d4e6f7a81',
      file_name: 'passport.pdf',
      content_type: 'application/pdf',
      size_bytes: 182044,
      source: 'upload',
      message_id: null,
      status: 'verified',
      status_changed_by: '0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a',
      status_changed_at: '2026-01-03T10:00:00.000Z',
      uploaded_by: '0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a',
      created_at: '2026-01-03T09:00:00.000Z',
      updated_at: '2026-01-03T10:00:00.000Z',
    },
  });

export type DocumentBody = z.infer<typeof DocumentSchema>;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toDocument(row: DocumentRow): DocumentBody {
  return {
    id: row.id,
    client_id: row.clientId,
    file_name: row.fileName,
    content_type: row.contentType,
    size_bytes: row.sizeBytes,
    source: row.source,
    message_id: row.messageId,
    status: row.status,
    status_changed_by: row.statusChangedBy,
    status_changed_at: iso(row.statusChangedAt),
    uploaded_by: row.uploadedBy,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

export const documentNotFound = () => new AppError('not_found', { detail: 'Document not found' });

/**
 * The `documents` bucket as the caller: their own access token goes to Storage, so Storage's
 * policies (project membership) decide again what the API already checked.
 */
export function callerDocuments(c: Context<AppEnv>): DocumentStore {
  const token = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
  if (!token) throw new AppError('unauthorized', { detail: 'Sign in to use this route' });
  return documentStore(c.var.services.storage(token));
}

/** What a Storage failure means to the caller; never Storage's own message. */
export function storageError(err: unknown): unknown {
  if (!(err instanceof StorageFailure)) return err;
  if (err.status === 403) return new AppError('forbidden', { detail: 'Storage refused the file' });
  if (err.status === 413) {
    return new AppError('payload_too_large', { detail: 'The file is larger than Storage allows' });
  }
  return new AppError('bad_gateway', { detail: 'Storage is unavailable', cause: err });
}
