import type { Tx } from '../db/client.ts';

export const DOCUMENT_STATUSES = ['pending', 'verified', 'rejected'] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];

/** A client's document (its bytes are in the `documents` bucket at `objectPath`). */
export interface DocumentRow {
  id: string;
  projectId: string;
  clientId: string;
  objectPath: string;
  fileName: string;
  contentType: string;
  sizeBytes: number;
  source: 'upload' | 'whatsapp';
  messageId: string | null;
  status: DocumentStatus;
  statusChangedBy: string | null;
  statusChangedAt: Date | null;
  uploadedBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const columns = (tx: Tx) => tx`
  d.id, d.project_id as "projectId", d.client_id as "clientId", d.object_path as "objectPath",
  d.file_name as "fileName", d.content_type as "contentType", d.size_bytes::float8 as "sizeBytes",
  d.source, d.message_id as "messageId", d.status, d.status_changed_by as "statusChangedBy",
  d.status_changed_at as "statusChangedAt", d.uploaded_by as "uploadedBy",
  d.created_at as "createdAt", d.updated_at as "updatedAt"`;

/**
 * Where an upload's bytes go: under the client's folder, named by the document's id alone, so
 * nothing the uploader sends (a name with `../`, a path) ever becomes part of it.
 */
export const documentPath = (projectId: string, clientId: string, id: string) =>
  `${projectId}/clients/${clientId}/documents/${id}`;

/** Records an uploaded document as the caller; RLS admits owners and editors. */
export async function insertDocument(
  tx: Tx,
  d: {
    id: string;
    projectId: string;
    clientId: string;
    fileName: string;
    contentType: string;
    sizeBytes: number;
    uploadedBy: string;
  },
): Promise<DocumentRow> {
  const [row] = await tx<DocumentRow[]>`
    insert into public.crm_documents as d
      (id, project_id, client_id, object_path, file_name, content_type, size_bytes, uploaded_by)
    values (${d.id}::uuid, ${d.projectId}::uuid, ${d.clientId}::uuid,
            ${documentPath(d.projectId, d.clientId, d.id)}, ${d.fileName}, ${d.contentType},
            ${d.sizeBytes}, ${d.uploadedBy}::uuid)
    returning ${columns(tx)}`;
  return row as DocumentRow;
}

/** A client's documents, newest first (a client has tens, not thousands). */
export function listDocuments(tx: Tx, projectId: string, clientId: string): Promise<DocumentRow[]> {
  return tx<DocumentRow[]>`
    select ${columns(tx)} from public.crm_documents d
     where d.client_id = ${clientId}::uuid and d.project_id = ${projectId}::uuid
     order by d.created_at desc, d.id desc`;
}

/** One document of the client, or undefined when there is none the caller may see. */
export async function findDocument(
  tx: Tx,
  projectId: string,
  clientId: string,
  id: string,
): Promise<DocumentRow | undefined> {
  const [row] = await tx<DocumentRow[]>`
    select ${columns(tx)} from public.crm_documents d
     where d.id = ${id}::uuid and d.client_id = ${clientId}::uuid
       and d.project_id = ${projectId}::uuid`;
  return row;
}

/** Sets the review status (the trigger records who and when); undefined when RLS refused. */
export async function setDocumentStatus(
  tx: Tx,
  projectId: string,
  clientId: string,
  id: string,
  status: DocumentStatus,
): Promise<DocumentRow | undefined> {
  const [row] = await tx<DocumentRow[]>`
    update public.crm_documents d set status = ${status}
     where d.id = ${id}::uuid and d.client_id = ${clientId}::uuid
       and d.project_id = ${projectId}::uuid
    returning ${columns(tx)}`;
  return row;
}

/** Deletes the row; returns its object's path, or undefined when RLS refused. */
export async function deleteDocument(
  tx: Tx,
  projectId: string,
  clientId: string,
  id: string,
): Promise<string | undefined> {
  const [row] = await tx<{ objectPath: string }[]>`
    delete from public.crm_documents d
     where d.id = ${id}::uuid and d.client_id = ${clientId}::uuid
       and d.project_id = ${projectId}::uuid
    returning d.object_path as "objectPath"`;
  return row?.objectPath;
}
