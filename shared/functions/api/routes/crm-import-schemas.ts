import { z } from '@hono/zod-openapi';
import type { ImportRow } from '../../../crm/import/store.ts';
import { AppError } from '../../../errors.ts';
import { ProjectIdParam } from './projects-schemas.ts';

export const ImportParams = ProjectIdParam.extend({
  importId: z.uuid().openapi({
    param: { name: 'importId', in: 'path' },
    example: '9e8d7c6b-5a49-4382-b1a0-f9e8d7c6b5a4',
  }),
});

const Problem = z
  .object({
    row: z.number().int().openapi({ description: 'The record number; the header is row 1' }),
    field: z.string(),
    problem: z.string(),
  })
  .openapi('ImportProblem');

const Duplicate = z
  .object({
    row: z.number().int(),
    field: z.enum(['phone', 'email']),
    client_id: z.uuid().nullable().openapi({ description: 'The client it matches' }),
    same_as_row: z.number().int().optional().openapi({
      description: 'The earlier row of the same file it repeats',
    }),
  })
  .openapi('ImportDuplicate');

export const ImportSchema = z
  .object({
    id: z.uuid(),
    mode: z.enum(['all', 'partial']),
    status: z.enum([
      'receiving',
      'queued',
      'validating',
      'importing',
      'succeeded',
      'rejected',
      'failed',
    ]),
    bytes: z.number().int(),
    total_rows: z.number().int().nullable(),
    processed_rows: z.number().int(),
    imported: z.number().int(),
    duplicates: z.number().int(),
    invalid: z.number().int(),
    problems: z.array(Problem).openapi({ description: 'The first 1,000 problems' }),
    duplicate_rows: z.array(Duplicate).openapi({ description: 'The first 1,000 duplicates' }),
    error: z.string().nullable(),
    created_by: z.uuid(),
    created_at: z.string(),
    started_at: z.string().nullable(),
    finished_at: z.string().nullable(),
  })
  .openapi('ClientImport');

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toImport(row: ImportRow): z.infer<typeof ImportSchema> {
  return {
    id: row.id,
    mode: row.mode,
    status: row.status,
    bytes: row.bytes,
    total_rows: row.totalRows,
    processed_rows: row.processedRows,
    imported: row.imported,
    duplicates: row.duplicates,
    invalid: row.invalid,
    problems: row.problems,
    duplicate_rows: row.duplicateRows,
    error: row.error,
    created_by: row.createdBy,
    created_at: row.createdAt.toISOString(),
    started_at: iso(row.startedAt),
    finished_at: iso(row.finishedAt),
  };
}

export const importNotFound = () => new AppError('not_found', { detail: 'Import not found' });
