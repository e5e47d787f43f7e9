import { z } from '@hono/zod-openapi';
import { type MessageRow, STATUS_RANK } from '../../../crm/messages.ts';
import type { AttemptRow, TimelineRow } from '../../../crm/timeline.ts';

/** Shared by the message and timeline routes: what a message and a timeline entry look like. */

const MessageStatus = z
  .enum(Object.keys(STATUS_RANK) as [keyof typeof STATUS_RANK])
  .openapi('MessageStatus');

const AttemptSchema = z
  .object({
    attempt: z.number().int(),
    operation: z.string(),
    http_status: z.number().int().nullable(),
    error_code: z.number().int().nullable().openapi({ description: "Meta's error code" }),
    error: z.string().nullable(),
    duration_ms: z.number().int(),
    retry_in_ms: z.number().int().nullable(),
    at: z.string(),
  })
  .openapi('SendAttempt');

const messageFields = {
  id: z.uuid(),
  client_id: z.uuid(),
  channel_id: z.uuid().nullable(),
  direction: z.enum(['in', 'out']),
  wamid: z.string().nullable().openapi({ description: "Meta's message id" }),
  type: z.string().openapi({ example: 'text' }),
  body: z.string().nullable().openapi({ description: 'The text, caption or summary shown' }),
  media: z
    .record(z.string(), z.unknown())
    .nullable()
    .openapi({
      description:
        '`state` is `stored` (in the `documents` bucket at `path`), `pending`, `reference` ' +
        "(Meta's media `id` only: Storage not configured) or `failed`",
    }),
  status: MessageStatus,
  statuses: z.record(z.string(), z.string()).openapi({
    description: 'Each status Meta reported and when; `status` is the furthest',
  }),
  error: z.record(z.string(), z.unknown()).nullable(),
  template_id: z.uuid().nullable(),
  sent_by: z.uuid().nullable(),
  reply_to: z.string().nullable(),
  occurred_at: z.string(),
};

export const MessageSchema = z.object(messageFields).openapi('ClientMessage');

const MessageEntry = z
  .object({ entry: z.literal('message'), ...messageFields, attempts: z.array(AttemptSchema) })
  .openapi('TimelineMessage');

const EventEntry = z
  .object({
    entry: z.literal('event'),
    id: z.uuid(),
    client_id: z.uuid(),
    kind: z.enum(['created', 'classified', 'profile_changed', 'status_changed']),
    data: z.record(z.string(), z.unknown()).openapi({
      description:
        '`classified`: profile_type, confidence, matched terms, threshold, applied and reason',
    }),
    actor_id: z.uuid().nullable(),
    occurred_at: z.string(),
  })
  .openapi('TimelineEvent');

export const TimelineEntrySchema = z
  .discriminatedUnion('entry', [MessageEntry, EventEntry])
  .openapi('TimelineEntry');

export function toMessage(m: MessageRow): z.infer<typeof MessageSchema> {
  return {
    id: m.id,
    client_id: m.clientId,
    channel_id: m.channelId,
    direction: m.direction,
    wamid: m.wamid,
    type: m.type,
    body: m.body,
    media: m.media,
    status: m.status,
    statuses: m.statuses,
    error: m.error,
    template_id: m.templateId,
    sent_by: m.sentBy,
    reply_to: m.replyTo,
    occurred_at: m.occurredAt.toISOString(),
  };
}

const toAttempt = (a: AttemptRow) => ({
  attempt: a.attempt,
  operation: a.operation,
  http_status: a.httpStatus,
  error_code: a.errorCode,
  error: a.error,
  duration_ms: a.durationMs,
  retry_in_ms: a.retryInMs,
  at: a.at.toISOString(),
});

export function toTimelineEntry(row: TimelineRow): z.infer<typeof TimelineEntrySchema> {
  if (row.entry === 'event') {
    return {
      entry: 'event',
      id: row.id,
      client_id: row.clientId,
      kind: row.kind as z.infer<typeof EventEntry>['kind'],
      data: row.data,
      actor_id: row.actorId,
      occurred_at: row.occurredAt.toISOString(),
    };
  }
  return { entry: 'message', ...toMessage(row), attempts: row.attempts.map(toAttempt) };
}
