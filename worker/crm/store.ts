import type postgres from 'postgres';
import { STATUS_RANK } from '../../shared/crm/messages.ts';
import type { Tx } from '../../shared/db/client.ts';
import type { GraphAttempt } from '../whatsapp/request.ts';

/**
 * The worker's queries for the CRM, all run `asService` (RLS bypassed: the worker acts for
 * Meta and for the system). Each says what it relies on.
 */

const json = (tx: Tx, v: unknown) => tx.json(v as postgres.JSONValue);

/** A connected number, with its sealed token. */
export interface ChannelSecret {
  id: string;
  projectId: string;
  phoneNumberId: string;
  sealedToken: string;
}

/** The channel a delivery's number is connected to, if any. */
export async function channelByNumber(
  tx: Tx,
  phoneNumberId: string,
): Promise<ChannelSecret | undefined> {
  const [row] = await tx<ChannelSecret[]>`
    select id, project_id as "projectId", phone_number_id as "phoneNumberId",
           access_token as "sealedToken"
      from public.crm_channels where phone_number_id = ${phoneNumberId}`;
  return row;
}

export async function channelById(tx: Tx, id: string): Promise<ChannelSecret | undefined> {
  const [row] = await tx<ChannelSecret[]>`
    select id, project_id as "projectId", phone_number_id as "phoneNumberId",
           access_token as "sealedToken"
      from public.crm_channels where id = ${id}::uuid`;
  return row;
}

/** The client as processing needs it, after the upsert. */
export interface ClientState {
  id: string;
  profileType: string | null;
  profileSource: string | null;
  profileConfidence: number | null;
}

/**
 * Finds the project's client with this phone, or creates them named after their WhatsApp
 * profile. Concurrent messages of a new client race on the (project, phone) key and meet in
 * the update. The window moves only forward (messages may be processed out of order), and
 * the number they wrote to last is the one replies go through. An archived client who writes
 * again is active again.
 */
export async function upsertClient(
  tx: Tx,
  c: { projectId: string; phone: string; name: string; channelId: string; at: Date },
): Promise<ClientState> {
  const at = c.at.toISOString();
  const [row] = await tx<ClientState[]>`
    insert into public.crm_clients as k
           (project_id, phone, name, channel_id, last_inbound_at, last_activity_at)
    values (${c.projectId}::uuid, ${c.phone}, ${c.name}, ${c.channelId}::uuid,
            ${at}::timestamptz, ${at}::timestamptz)
    on conflict (project_id, phone) do update set
      channel_id = case when k.last_inbound_at is null or excluded.last_inbound_at >= k.last_inbound_at
                        then excluded.channel_id else k.channel_id end,
      last_inbound_at = greatest(k.last_inbound_at, excluded.last_inbound_at),
      last_activity_at = greatest(k.last_activity_at, excluded.last_activity_at),
      status = case when k.status = 'archived' then 'active' else k.status end,
      archived_at = case when k.status = 'archived' then null else k.archived_at end
    returning k.id, k.profile_type as "profileType", k.profile_source as "profileSource",
              k.profile_confidence as "profileConfidence"`;
  if (!row) throw new Error('upsert returned no row');
  return row;
}

/** Stores an inbound message once per wamid; undefined when it was stored before. */
export async function insertInbound(
  tx: Tx,
  m: {
    projectId: string;
    clientId: string;
    channelId: string;
    wamid: string;
    type: string;
    body: string | null;
    content: unknown;
    media: Record<string, unknown> | null;
    replyTo: string | null;
    at: Date;
  },
): Promise<string | undefined> {
  const [row] = await tx<{ id: string }[]>`
    insert into public.crm_messages
           (project_id, client_id, channel_id, direction, wamid, type, body, content, media,
            status, reply_to, occurred_at)
    values (${m.projectId}::uuid, ${m.clientId}::uuid, ${m.channelId}::uuid, 'in', ${m.wamid},
            ${m.type}, ${m.body}, ${json(tx, m.content)}, ${m.media ? json(tx, m.media) : null},
            'received', ${m.replyTo?.slice(0, 256) ?? null}, ${m.at.toISOString()}::timestamptz)
    on conflict (wamid) do nothing
    returning id`;
  return row?.id;
}

/**
 * Serialises everything that touches one wamid's status for the rest of the transaction:
 * recording the wamid after a send, and applying a status webhook. Whichever comes second
 * sees what the first committed, so a status that arrives before its wamid is recorded is
 * never lost (see `applyPendingStatuses`).
 */
export async function lockWamid(tx: Tx, wamid: string): Promise<void> {
  await tx`select pg_advisory_xact_lock(hashtextextended(${`crm.wamid:${wamid}`}, 0))`;
}

/**
 * Applies one status of an outbound message: every status is recorded with its time, but
 * the message's status only moves forward (by rank), whatever order webhooks arrive in.
 * False when no outbound message has this wamid (yet).
 */
export async function applyStatus(
  tx: Tx,
  s: { wamid: string; status: string; at: Date; error: Record<string, unknown> | null },
): Promise<boolean> {
  const rank = (STATUS_RANK as Record<string, number>)[s.status] ?? 0;
  // Only Meta's own statuses move a message; others (`played`…) are recorded only.
  const moves = ['sent', 'delivered', 'read', 'failed'].includes(s.status);
  const rows = await tx`
    update public.crm_messages m set
      statuses = m.statuses || jsonb_build_object(${s.status.slice(0, 32)}::text, ${s.at.toISOString()}::text),
      status = case when ${moves} and ${rank} > m.status_rank then ${s.status} else m.status end,
      error = case when ${moves} and ${rank} > m.status_rank and ${s.error !== null}
                   then ${s.error ? json(tx, s.error) : null}::jsonb else m.error end,
      status_rank = case when ${moves} then greatest(m.status_rank, ${rank}) else m.status_rank end
     where m.wamid = ${s.wamid} and m.direction = 'out'`;
  return rows.count > 0;
}

/** Status webhooks already stored for a wamid, oldest first (applied once it is recorded). */
export function storedStatuses(tx: Tx, wamid: string) {
  return tx<{ item: { status: string; at: number; errors: Array<Record<string, unknown>> } }[]>`
    select item from private.whatsapp_intake
     where kind = 'status' and wamid = ${wamid}
     order by id`;
}

/** Records one Graph API call made for a message. */
export async function insertAttempt(tx: Tx, messageId: string, a: GraphAttempt): Promise<void> {
  const operation =
    a.operation === 'send_message' || a.operation === 'get_media' ? a.operation : 'download_media';
  await tx`
    insert into public.crm_message_attempts
           (message_id, operation, attempt, http_status, error_code, error, duration_ms, retry_in_ms)
    values (${messageId}::uuid, ${operation}, ${a.attempt}, ${a.status}, ${a.errorCode},
            ${a.error?.slice(0, 2000) ?? null}, ${Math.round(a.durationMs)},
            ${a.retryInMs === null ? null : Math.round(a.retryInMs)})`;
}

/** Marks an outbound message failed, with why; only while it has not moved past `sending`. */
export async function failSend(
  tx: Tx,
  messageId: string,
  error: Record<string, unknown>,
): Promise<void> {
  await tx`
    update public.crm_messages m
       set status = 'failed', status_rank = ${STATUS_RANK.failed}, error = ${json(tx, error)}
     where m.id = ${messageId}::uuid and m.status_rank < ${STATUS_RANK.accepted}`;
}
