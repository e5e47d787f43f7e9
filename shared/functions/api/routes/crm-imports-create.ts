import { createRoute, z } from '@hono/zod-openapi';
import { runImport } from '../../../crm/import/run.ts';
import {
  appendChunk,
  CHUNK_BYTES,
  createImport,
  findImport,
  updateImport,
} from '../../../crm/import/store.ts';
import { AppError } from '../../../errors.ts';
import type { App } from '../../../http/context.ts';
import { withCaller, withService } from '../../../http/doors.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { enqueue } from '../../../jobs/enqueue.ts';
import { ImportSchema, importNotFound, toImport } from './crm-import-schemas.ts';
import { inProject } from './projects-access.ts';
import { notAllowed, ProjectIdParam } from './projects-schemas.ts';

/** The largest file taken. */
export const IMPORT_BODY_LIMIT = 32 * 1024 * 1024;
/** Files up to this size are imported during the request; larger ones by the worker. */
export const INLINE_IMPORT_BYTES = 256 * 1024;

const Query = z.object({
  mode: z.enum(['all', 'partial']).default('all').openapi({
    description: '`all`: nothing is written unless every row is valid. `partial`: valid rows are',
  }),
});

const route = createRoute({
  method: 'post',
  path: '/projects/{id}/imports',
  tags: ['crm'],
  summary: 'Import clients from CSV',
  description:
    'Owners and editors. A CSV file (`text/csv`, UTF-8, at most 32 MiB and 100,000 rows) with ' +
    'a header naming `phone` and `name` and optionally `email` and `profile_type`. Every row ' +
    'is validated before anything is written; the report lists each problem by row number ' +
    '(the header is row 1), field and problem. Clients that exist already (same phone or ' +
    'email) and repeats within the file are reported as duplicates and skipped. Files up to ' +
    `${INLINE_IMPORT_BYTES} bytes are imported before the answer (200); larger ones are ` +
    'imported by a job (202): follow `GET /projects/{id}/imports/{importId}` or the ' +
    '`import_progress` events on the Realtime channel `crm:<project id>`.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: {
    params: ProjectIdParam,
    query: Query,
    body: {
      required: true,
      content: {
        'text/csv': { schema: z.string().openapi({ example: 'phone,name\n+34612345678,Amina' }) },
      },
    },
  },
  responses: {
    200: {
      description: 'Imported, or rejected',
      content: { 'application/json': { schema: ImportSchema } },
    },
    202: { description: 'Queued', content: { 'application/json': { schema: ImportSchema } } },
    ...problemResponses(401, 403, 404, 413, 415, 422),
  },
});

export function registerCrmImportsCreate(app: App): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid('param');
    const { mode } = c.req.valid('query');
    const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'text/csv') {
      throw new AppError('unsupported_media_type', { detail: 'Send the file as text/csv' });
    }
    const body = c.req.raw.body;
    if (!body) throw new AppError('bad_request', { detail: 'The file is missing' });
    const { importId, bytes } = await inProject(c, id, async ({ tx, project, user }) => {
      if (project.role !== 'owner' && project.role !== 'editor') throw notAllowed();
      const importId = await createImport(tx, {
        projectId: id,
        createdBy: user.id,
        aal: user.aal,
        mode,
      });
      // The body is read piece by piece into the database, never held whole.
      const bytes = await storeBody(body, (seq, data) => appendChunk(tx, importId, seq, data));
      if (bytes > INLINE_IMPORT_BYTES) await enqueue(tx, 'crm.import', { import_id: importId });
      return { importId, bytes };
    });
    const queued = bytes > INLINE_IMPORT_BYTES;
    await withService(c, (tx) =>
      updateImport(tx, importId, queued ? { bytes, status: 'queued' } : { bytes }),
    ).catch(() => {});
    if (!queued) {
      // A failure is on the import's row (`failed`, with a reason) for the answer below.
      await runImport(c.var.services.db, importId, {
        clock: c.var.services.clock,
        final: true,
      }).catch((err: unknown) => c.var.log.error('import failed', { err, import: importId }));
    }
    const row = await withCaller(c, (tx) => findImport(tx, id, importId));
    if (!row) throw importNotFound();
    return c.json(toImport(row), queued ? 202 : 200);
  });
}

/** Copies a body into pieces of CHUNK_BYTES; returns its length. */
async function storeBody(
  body: ReadableStream<Uint8Array>,
  store: (seq: number, data: Uint8Array) => Promise<void>,
): Promise<number> {
  const reader = body.getReader();
  let buffer = new Uint8Array(CHUNK_BYTES);
  let filled = 0;
  let seq = 0;
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    let offset = 0;
    while (offset < value.length) {
      const n = Math.min(CHUNK_BYTES - filled, value.length - offset);
      buffer.set(value.subarray(offset, offset + n), filled);
      filled += n;
      offset += n;
      if (filled === CHUNK_BYTES) {
        await store(seq++, buffer);
        buffer = new Uint8Array(CHUNK_BYTES);
        filled = 0;
      }
    }
  }
  if (filled > 0) await store(seq, buffer.slice(0, filled));
  return total;
}
