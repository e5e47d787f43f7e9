import { createRoute, z } from '@hono/zod-openapi';
import { listAccessEvents, recordAccess } from '../../../crm/access-events.ts';
import type { App } from '../../../http/context.ts';
import { requireUser } from '../../../http/middleware/auth.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { ClientParams, clientNotFound } from './crm-schemas.ts';
import { inProject } from './projects-access.ts';
import { notAllowed } from './projects-schemas.ts';

const AccessEvent = z
  .object({
    id: z.string().openapi({ description: 'Grows with time; page with `before`' }),
    actor_id: z.uuid().nullable().openapi({ description: 'Who; null for the system' }),
    action: z.string().openapi({
      description: 'What: list, read, timeline, documents, document_link, export, audit_log, erase',
    }),
    detail: z.record(z.string(), z.unknown()),
    occurred_at: z.string(),
  })
  .openapi('AccessEvent');

const AuditLog = z
  .object({
    data: z.array(AccessEvent),
    next_cursor: z
      .string()
      .nullable()
      .openapi({ description: 'Pass as `before`; null at the end' }),
  })
  .openapi('ClientAuditLog');

const Query = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ example: 50 }),
  before: z
    .string()
    .regex(/^[1-9][0-9]{0,17}$/, { message: 'Use the next_cursor of the previous page' })
    .optional()
    .openapi({ description: 'The `next_cursor` of the previous page' }),
});

const route = createRoute({
  method: 'get',
  path: '/projects/{id}/clients/{clientId}/audit-log',
  tags: ['crm'],
  summary: "A client's access log (GDPR)",
  description:
    'Owners and editors. Every read of the client’s data (who, when, what), newest first, and ' +
    'the tombstone of an erase: the log outlives the client, so it answers for an erased one ' +
    'too. Reading it is itself recorded.',
  security: [{ bearerAuth: [] }],
  middleware: [requireUser()] as const,
  request: { params: ClientParams, query: Query },
  responses: {
    200: { description: 'One page', content: { 'application/json': { schema: AuditLog } } },
    ...problemResponses(401, 403, 404, 422),
  },
});

export function registerCrmClientsAuditLog(app: App): void {
  app.openapi(route, async (c) => {
    const { id, clientId } = c.req.valid('param');
    const { limit, before } = c.req.valid('query');
    const rows = await inProject(c, id, async ({ tx, project }) => {
      const [client] = await tx`
        select 1 from public.crm_clients where id = ${clientId}::uuid and project_id = ${id}::uuid`;
      if (project.role !== 'owner' && project.role !== 'editor') {
        throw client ? notAllowed() : clientNotFound();
      }
      // An erased client has no row but still has its log (the tombstone at least).
      if (!client && (await listAccessEvents(tx, id, clientId, { limit: 1 })).length === 0) {
        throw clientNotFound();
      }
      await recordAccess(tx, id, [clientId], 'audit_log');
      return listAccessEvents(tx, id, clientId, { limit: limit + 1, before });
    });
    const shown = rows.slice(0, limit);
    return c.json(
      {
        data: shown.map((e) => ({
          id: e.id,
          actor_id: e.actorId,
          action: e.action,
          detail: e.detail,
          occurred_at: e.occurredAt.toISOString(),
        })),
        next_cursor: rows.length > limit ? (shown.at(-1)?.id ?? null) : null,
      },
      200,
    );
  });
}
