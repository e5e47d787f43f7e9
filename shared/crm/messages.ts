import type postgres from 'postgres';
import type { Tx } from '../db/client.ts';
import type { OutboundMessage } from '../whatsapp/graph-types.ts';

/** Meta's customer service window: free-form messages within 24 hours of the client's last. */
export const SERVICE_WINDOW_MS = 24 * 60 * 60_000;

/**
 * Outbound statuses in the order they are reached; a status only ever replaces one of a lower
 * rank, whatever order Meta's webhooks arrive in. `failed` outranks all: Meta reports it
 * instead of (or after) `sent`, never before a later success.
 */
export const STATUS_RANK = {
  received: 0,
  queued: 0,
  sending: 1,
  accepted: 2,
  sent: 3,
  delivered: 4,
  read: 5,
  failed: 6,
} as const;

export type MessageStatus = keyof typeof STATUS_RANK;

/** Whether Meta would deliver free text to this client through this number at `now`. */
export function serviceWindowOpen(
  client: { lastInboundAt: Date | null; channelId: string | null },
  channelId: string,
  now: number,
): boolean {
  if (!client.lastInboundAt || client.channelId !== channelId) return false;
  return now - client.lastInboundAt.getTime() < SERVICE_WINDOW_MS;
}

/** A message as the API shows it (timeline entries and the answer to a send). */
export interface MessageRow {
  id: string;
  clientId: string;
  channelId: string | null;
  direction: 'in' | 'out';
  wamid: string | null;
  type: string;
  body: string | null;
  media: Record<string, unknown> | null;
  status: MessageStatus;
  statuses: Record<string, string>;
  error: Record<string, unknown> | null;
  templateId: string | null;
  sentBy: string | null;
  replyTo: string | null;
  occurredAt: Date;
}

export const messageColumns = (tx: Tx) => tx`
  m.id, m.client_id as "clientId", m.channel_id as "channelId", m.direction, m.wamid, m.type,
  m.body, m.media, m.status, m.statuses, m.error, m.template_id as "templateId",
  m.sent_by as "sentBy", m.reply_to as "replyTo", m.occurred_at as "occurredAt"`;

/**
 * Queues an outbound message as the caller, for the worker to send. RLS admits owners and
 * editors writing in their own name to a client, number and template of the same project.
 */
export async function queueOutbound(
  tx: Tx,
  m: {
    id: string;
    projectId: string;
    clientId: string;
    channelId: string;
    templateId: string | null;
    body: string;
    message: OutboundMessage;
    at: Date;
  },
): Promise<MessageRow> {
  const [row] = await tx<MessageRow[]>`
    insert into public.crm_messages as m
           (id, project_id, client_id, channel_id, direction, type, body, content, status,
            template_id, sent_by, occurred_at)
    values (${m.id}::uuid, ${m.projectId}::uuid, ${m.clientId}::uuid, ${m.channelId}::uuid,
            'out', ${m.message.type}, ${m.body},
            ${tx.json(m.message as unknown as postgres.JSONValue)}, 'queued',
            ${m.templateId}::uuid, (select auth.uid()), ${m.at.toISOString()}::timestamptz)
    returning ${messageColumns(tx)}`;
  if (!row) throw new Error('insert returned no row');
  // The inbox sorts by activity; sending is activity.
  await tx`
    update public.crm_clients c set last_activity_at = greatest(c.last_activity_at, ${m.at.toISOString()}::timestamptz)
     where c.id = ${m.clientId}::uuid`;
  return row;
}
