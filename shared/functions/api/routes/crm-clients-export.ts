import { createRoute, z } from '@hono/zod-openapi';
import { recordAccess } from '../../../crm/access-events.ts';
import { LINK_SECONDS } from '../../../crm/document-store.ts';
import { clientRecords } from '../../../crm/gdpr.ts';
import type { App } from '../../../http/context.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { callerDocuments, storageError } from './crm-document-schemas.ts';
import { ClientParams, clientNotFound } from './crm-schemas.ts';
import { inProject } from './projects-access.ts';
import { notAllowed } from './projects-schemas.ts';

const Record_ = z.record(z.string(), z.unknown());

const ClientExport = z
  .object({
    exported_at: z.string(),
    client: Record_.openapi({ description: 'The profile, every column' }),
    messages: z.array(Record_).openapi({ description: 'Every message in and out, oldest first' }),
    attempts: z.array(Record_).openapi({ description: 'Every send attempt of those messages' }),
    events: z.array(Record_).openapi({ description: 'The timeline’s events' }),
    documents: z.array(
      Record_.and(
        z.object({
          url: z
            .string()
            .nullable()
            .openapi({
              description: `A signed link, valid ${LINK_SECONDS} seconds; null if the file is gone`,
            }),
        }),
      ),
    ),
    access_log: z.array(Record_).openapi({ description: 'Who read the client’s data, and when' }),
  })
  .openapi('ClientExport');

const route = createRoute({
  method: 'get',
  path: '/projects/{id}/clients/{clientId}/export',
  tags: ['crm'],
  summary: 'Export a client (GDPR)',
  description:
    'Owners and editors. Everything held about the client as one JSON document: the profile, ' +
    'the timeline (messages, send attempts, events), the documents with signed links and the ' +
    'access log, this export included.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: { params: ClientParams },
  responses: {
    200: { description: 'The export', content: { 'application/json': { schema: ClientExport } } },
    ...problemResponses(401, 403, 404, 422, 502),
  },
});

export function registerCrmClientsExport(app: App): void {
  app.openapi(route, async (c) => {
    const { id, clientId } = c.req.valid('param');
    const store = callerDocuments(c);
    const exported = await inProject(c, id, async ({ tx, project }) => {
      const exists = await tx`
        select 1 from public.crm_clients where id = ${clientId}::uuid and project_id = ${id}::uuid`;
      if (exists.length === 0) throw clientNotFound();
      if (project.role !== 'owner' && project.role !== 'editor') throw notAllowed();
      await recordAccess(tx, id, [clientId], 'export');
      const records = await clientRecords(tx, id, clientId);
      if (!records) throw clientNotFound();
      const documents = [];
      for (const doc of records.documents) {
        const url = await store
          .signedUrl(String(doc.object_path), LINK_SECONDS)
          .catch((err) => Promise.reject(storageError(err)));
        documents.push({ ...doc, url: url ?? null });
      }
      return {
        exported_at: new Date(c.var.services.clock.now()).toISOString(),
        client: records.client,
        messages: records.messages,
        attempts: records.attempts,
        events: records.events,
        documents,
        access_log: records.accessLog,
      };
    });
    return c.json(exported, 200);
  });
}
