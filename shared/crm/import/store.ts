import type postgres from 'postgres';
import type { Tx } from '../../db/client.ts';
import type { RowProblem } from './rows.ts';

/** The mode and the state of an import (crm_imports). */
export type ImportMode = 'all' | 'partial';
export type ImportStatus =
  | 'receiving'
  | 'queued'
  | 'validating'
  | 'importing'
  | 'succeeded'
  | 'rejected'
  | 'failed';

/** A row that was not written because the client exists (or came earlier in the file). */
export interface DuplicateRow {
  row: number;
  field: 'phone' | 'email';
  /** The existing client; null when the earlier one is a row of the same file. */
  client_id: string | null;
  /** The earlier row of the file it repeats, when it does. */
  same_as_row?: number;
}

export interface ImportRow {
  id: string;
  projectId: string;
  createdBy: string;
  aal: 'aal1' | 'aal2';
  mode: ImportMode;
  status: ImportStatus;
  bytes: number;
  totalRows: number | null;
  processedRows: number;
  imported: number;
  duplicates: number;
  invalid: number;
  problems: RowProblem[];
  duplicateRows: DuplicateRow[];
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** How many problems and duplicates a report lists (the counts are always complete). */
export const REPORT_LIMIT = 1000;

/** The size of a stored piece of the file. */
export const CHUNK_BYTES = 256 * 1024;

const columns = (tx: Tx) => tx`
  i.id, i.project_id as "projectId", i.created_by as "createdBy", i.aal, i.mode, i.status,
  i.bytes::float8 as bytes, i.total_rows as "totalRows", i.processed_rows as "processedRows",
  i.imported, i.duplicates, i.invalid, i.problems, i.duplicate_rows as "duplicateRows", i.error,
  i.created_at as "createdAt", i.started_at as "startedAt", i.finished_at as "finishedAt"`;

/** Starts an import as the caller (RLS: owners and editors, in their own name). */
export async function createImport(
  tx: Tx,
  f: { projectId: string; createdBy: string; aal: 'aal1' | 'aal2'; mode: ImportMode },
): Promise<string> {
  const [row] = await tx<{ id: string }[]>`
    insert into public.crm_imports (project_id, created_by, aal, mode)
    values (${f.projectId}::uuid, ${f.createdBy}::uuid, ${f.aal}, ${f.mode})
    returning id`;
  return (row as { id: string }).id;
}

/** Stores piece `seq` of the file (RLS: only who started the import). */
export async function appendChunk(
  tx: Tx,
  importId: string,
  seq: number,
  data: Uint8Array,
): Promise<void> {
  await tx`
    insert into public.crm_import_chunks (import_id, seq, data)
    values (${importId}::uuid, ${seq}, ${data})`;
}

/** Piece `seq` of the file, or undefined after the last. */
export async function readChunk(
  tx: Tx,
  importId: string,
  seq: number,
): Promise<Uint8Array | undefined> {
  const [row] = await tx<{ data: Uint8Array }[]>`
    select data from public.crm_import_chunks
     where import_id = ${importId}::uuid and seq = ${seq}`;
  return row?.data;
}

/** One import of the project, or undefined when the caller may not see it. */
export async function findImport(
  tx: Tx,
  projectId: string,
  id: string,
): Promise<ImportRow | undefined> {
  const [row] = await tx<ImportRow[]>`
    select ${columns(tx)} from public.crm_imports i
     where i.id = ${id}::uuid and i.project_id = ${projectId}::uuid`;
  return row;
}

/** An import that is not over yet, for the runner (service_role); undefined once it is. */
export async function findImportForRun(tx: Tx, id: string): Promise<ImportRow | undefined> {
  const [row] = await tx<ImportRow[]>`
    select ${columns(tx)} from public.crm_imports i
     where i.id = ${id}::uuid
       and i.status in ('receiving', 'queued', 'validating', 'importing')`;
  return row;
}

/** Changes an import's state and counts (service_role: the runner's bookkeeping). */
export async function updateImport(
  tx: Tx,
  id: string,
  patch: Partial<{
    status: ImportStatus;
    bytes: number;
    total_rows: number;
    processed_rows: number;
    imported: number;
    duplicates: number;
    invalid: number;
    problems: RowProblem[];
    duplicate_rows: DuplicateRow[];
    error: string | null;
    started_at: Date;
    finished_at: Date;
  }>,
): Promise<void> {
  const values = Object.fromEntries(
    Object.entries(patch).map(([k, v]) => [
      k,
      k === 'problems' || k === 'duplicate_rows' ? tx.json(v as postgres.JSONValue) : v,
    ]),
  );
  await tx`update public.crm_imports set ${tx(values)} where id = ${id}::uuid`;
}

/** Deletes the file once the import is over: it holds personal data and is no longer needed. */
export async function dropChunks(tx: Tx, id: string): Promise<void> {
  await tx`delete from public.crm_import_chunks where import_id = ${id}::uuid`;
}
