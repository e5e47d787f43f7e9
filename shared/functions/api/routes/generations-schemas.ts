import { z } from '@hono/zod-openapi';
import { AppError } from '../../../errors.ts';
import { GenerationStatus } from '../../../generations/events.ts';
import type { GenerationRow } from '../../../generations/generations.ts';

/** Shared by the generation routes: what a generation looks like, its params, its errors. */

export const GenerationKind = z.enum(['generate', 'fix', 'build']).openapi('GenerationKind');

export const GenerationSchema = z
  .object({
    id: z.uuid(),
    project_id: z.uuid(),
    requested_by: z.uuid().nullable(),
    kind: GenerationKind,
    status: GenerationStatus,
    prompt: z.string(),
    preview: z.boolean(),
    cancel_on_disconnect: z.boolean(),
    result: z.record(z.string(), z.unknown()).nullable().openapi({
      description: "The Result event's data once it ended: files, build, preview, summary",
    }),
    error: z.string().nullable(),
    attempt: z.number().int().openapi({ description: 'Attempts started so far' }),
    last_seq: z.number().int().openapi({ description: 'The seq of its latest event' }),
    cancel_requested: z.boolean(),
    queued_at: z.string(),
    started_at: z.string().nullable(),
    finished_at: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Generation', {
    example: {
      id: '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b',
      project_id: '3f9a1c2e-7b4d-4e8a-9c1f-2d3e4f5a6b7c',
      requested_by: '0b5b4b1e-3f0c-4a5e-9b1e-3f0c4a5e9b1e',
      kind: 'generate',
      status: 'queued',
      prompt: 'A todo list app',
      preview: false,
      cancel_on_disconnect: false,
      result: null,
      error: null,
      attempt: 0,
      last_seq: 1,
      cancel_requested: false,
      queued_at: '2026-01-03T09:00:00.000Z',
      started_at: null,
      finished_at: null,
      created_at: '2026-01-03T09:00:00.000Z',
      updated_at: '2026-01-03T09:00:00.000Z',
    },
  });

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toGeneration(row: GenerationRow): z.infer<typeof GenerationSchema> {
  return {
    id: row.id,
    project_id: row.projectId,
    requested_by: row.requestedBy,
    kind: row.kind,
    status: row.status,
    prompt: row.prompt,
    preview: row.preview,
    cancel_on_disconnect: row.cancelOnDisconnect,
    result: row.result,
    error: row.error,
    attempt: row.attempt,
    last_seq: row.lastSeq,
    cancel_requested: row.cancelRequestedAt !== null,
    queued_at: row.queuedAt.toISOString(),
    started_at: iso(row.startedAt),
    finished_at: iso(row.finishedAt),
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

export const GenerationIdParam = z.object({
  id: z.uuid().openapi({
    param: { name: 'id', in: 'path' },
    example: '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b',
  }),
});

// One body for "missing" and "hidden", so a generation id cannot be probed.
export const generationNotFound = () =>
  new AppError('not_found', { detail: 'Generation not found' });
