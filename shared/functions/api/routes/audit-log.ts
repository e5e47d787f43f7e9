import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../../http/context.ts';
import { cursorCodec } from '../../../http/cursor.ts';
import { withCaller } from '../../../http/doors.ts';
import { listQuerySchema, listResponseSchema, toPage } from '../../../http/list.ts';
import { requireCaller, requirePermission } from '../../../http/middleware/auth.ts';
import { instantSchema, problemResponses, USERS_AND_APPS } from '../../../http/schemas.ts';
import { type AuditRow, listAuditLog } from '../../../identity/audit-log.ts';

const Instant = instantSchema();

const AuditQuery = listQuerySchema({ sort: ['occurred_at'] }).extend({
  actor_id: z.uuid().optional().openapi({ example: '0b5b4b1e-3f0c-4a5e-9b1e-3f0c4a5e9b1e' }),
  action: z
    .string()
    .max(100)
    .regex(/^[a-z_.]+\*?$/, 'An action such as `user.deleted`, or a prefix ending in `*`')
    .optional()
    .openapi({ description: 'Exact action, or a prefix ending in `*`', example: 'session.*' }),
  from: Instant.optional().openapi({
    description: 'Events at or after this time',
    example: '2026-01-01T00:00:00Z',
  }),
  to: Instant.optional().openapi({
    description: 'Events before this time',
    example: '2026-02-01T00:00:00Z',
  }),
});

const AuditEventSchema = z
  .object({
    id: z.string(),
    occurred_at: z.string(),
    actor_id: z.string().nullable(),
    actor_type: z.string(),
    action: z.string(),
    target_type: z.string().nullable(),
    target_id: z.string().nullable(),
    ip: z.string().nullable(),
    user_agent: z.string().nullable(),
    request_id: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()),
  })
  .openapi('AuditEvent', {
    example: {
      id: '1042',
      occurred_at: '2026-01-01T09:00:00.000Z',
      actor_id: '0b5b4b1e-3f0c-4a5e-9b1e-3f0c4a5e9b1e',
      actor_type: 'user',
      action: 'user.deactivated',
      target_type: 'user',
      target_id: '7d4e2c1a-5b3f-4e6d-8c9a-1b2c3d4e5f60',
      ip: '203.0.113.7',
      user_agent: 'Mozilla/5.0',
      request_id: 'b0f5d5b2-6c1e-4c4e-9f0a-0b8f6e2f5a41',
      metadata: { sessions_ended: 2 },
    },
  });

const AuditList = listResponseSchema('AuditEventList', AuditEventSchema);

const route = createRoute({
  method: 'get',
  path: '/audit-log',
  tags: ['audit'],
  summary: 'Read the audit log',
  description:
    'Needs `audit:read`; users and app clients may call it. Newest first by default; `from` ' +
    'is inclusive, `to` exclusive.',
  security: USERS_AND_APPS,
  middleware: [requireCaller(), requirePermission('audit:read')] as const,
  request: { query: AuditQuery },
  responses: {
    200: {
      description: 'One page of events',
      content: { 'application/json': { schema: AuditList } },
    },
    ...problemResponses(401, 403, 422),
  },
});

function toEvent(row: AuditRow) {
  return {
    id: row.id,
    occurred_at: row.occurredAt.toISOString(),
    actor_id: row.actorId,
    actor_type: row.actorType,
    action: row.action,
    target_type: row.targetType,
    target_id: row.targetId,
    ip: row.ip,
    user_agent: row.userAgent,
    request_id: row.requestId,
    metadata: row.metadata,
  };
}

export function registerAuditLog(app: App): void {
  app.openapi(route, async (c) => {
    const query = c.req.valid('query');
    const cursors = cursorCodec(c.var.services.config.CURSOR_SECRET, 'audit-log');
    const after = await cursors.decode(query);
    const filter = {
      actorId: query.actor_id,
      action: query.action,
      from: query.from,
      to: query.to,
    };
    // RLS shows the log only to audit:read, the same permission the route checks.
    const rows = await withCaller(c, (tx) =>
      listAuditLog(tx, filter, { order: query.order, after, limit: query.limit + 1 }),
    );
    return c.json(await toPage(cursors, query, rows, toEvent), 200);
  });
}
