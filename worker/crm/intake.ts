import { type Classification, classify, verdict } from '../../shared/crm/classifier.ts';
import { findClassifier } from '../../shared/crm/classifier-settings.ts';
import { hasMedia, summarise } from '../../shared/crm/inbound.ts';
import { waIdToE164 } from '../../shared/crm/phone.ts';
import type { Tx } from '../../shared/db/client.ts';
import { asService } from '../../shared/db/doors.ts';
import { enqueue } from '../../shared/jobs/enqueue.ts';
import type { WhatsappIntakeJob } from '../../shared/jobs/queues.ts';
import {
  type IntakeItem,
  inboundMessageSchema,
  type MessageItem,
  type StatusItem,
} from '../../shared/whatsapp/webhook.ts';
import type { JobContext } from '../runtime/runner.ts';
import type { CrmDeps } from './context.ts';
import {
  applyStatus,
  type ClientState,
  channelByNumber,
  insertInbound,
  lockWamid,
  upsertClient,
} from './store.ts';

/**
 * `whatsapp.intake`: applies the stored items of a delivery, each in its own transaction that
 * also marks it processed. The item row is locked first and skipped once processed, so a job
 * that runs twice (pg-boss retries, an expired job taken again) applies each item once.
 */
export function intakeHandler(deps: CrmDeps) {
  return async (payload: WhatsappIntakeJob, ctx: JobContext): Promise<void> => {
    for (const key of payload.keys) {
      ctx.signal.throwIfAborted();
      const outcome = await asService(deps.db, (tx) => processItem(tx, key));
      if (outcome && outcome !== 'applied') ctx.log.info('intake item', { key, outcome });
    }
  };
}

/** Applies one stored item; its outcome, or null when it was processed before. */
export async function processItem(tx: Tx, key: string): Promise<string | null> {
  const [row] = await tx<{ id: string; item: IntakeItem; processed: boolean }[]>`
    select id, item, processed_at is not null as processed
      from private.whatsapp_intake where key = ${key} for update`;
  if (!row || row.processed) return null;
  const item = row.item;
  const outcome =
    item.kind === 'message'
      ? await applyMessage(tx, item)
      : item.kind === 'status'
        ? await applyStatusItem(tx, item)
        : 'recorded';
  await tx`
    update private.whatsapp_intake set processed_at = now(), outcome = ${outcome}
     where id = ${row.id}`;
  return outcome;
}

async function applyStatusItem(tx: Tx, item: StatusItem): Promise<string> {
  await lockWamid(tx, item.messageId);
  const error = item.errors[0] ?? null;
  const applied = await applyStatus(tx, {
    wamid: item.messageId,
    status: item.status,
    at: new Date(item.at),
    error: error as Record<string, unknown> | null,
  });
  // Not ours yet: the send that owns it applies it when it records the wamid.
  return applied ? 'applied' : 'unknown_message';
}

async function applyMessage(tx: Tx, item: MessageItem): Promise<string> {
  const parsed = inboundMessageSchema.safeParse(item.message);
  if (!parsed.success) return 'invalid';
  const channel = await channelByNumber(tx, item.phoneNumberId);
  if (!channel) return 'no_channel';
  // A sender Meta names only by a business-scoped id has no phone for the CRM to key on.
  const phone = item.from ? waIdToE164(item.from) : undefined;
  if (!phone) return 'no_phone';
  const at = new Date(item.sentAt);
  const profileName = item.contact?.profile?.name?.trim().slice(0, 200);
  const client = await upsertClient(tx, {
    projectId: channel.projectId,
    phone,
    name: profileName || phone,
    channelId: channel.id,
    at,
  });
  const summary = summarise(parsed.data);
  const media = summary.media ? { ...summary.media, state: 'pending' } : null;
  const messageId = await insertInbound(tx, {
    projectId: channel.projectId,
    clientId: client.id,
    channelId: channel.id,
    wamid: item.messageId,
    type: summary.type,
    body: summary.body,
    content: parsed.data,
    media,
    replyTo: summary.replyTo,
    at,
  });
  if (!messageId) return 'duplicate';
  if (media && hasMedia(summary.type)) {
    await enqueue(tx, 'whatsapp.media', { message_id: messageId });
  }
  if (summary.text) await classifyMessage(tx, channel.projectId, client, messageId, summary.text);
  return 'applied';
}

/**
 * Classifies what the client wrote; records why on the timeline whenever a rule matched, and
 * changes the profile type only when the verdict says so (the trigger then records the change).
 */
async function classifyMessage(
  tx: Tx,
  projectId: string,
  client: ClientState,
  messageId: string,
  text: string,
): Promise<void> {
  const settings = await findClassifier(tx, projectId);
  if (!settings.rules.length) return;
  const result = classify(text, settings.rules);
  if (!result) return;
  const decided = verdict(result, settings.threshold, {
    profileType: client.profileType,
    profileSource: client.profileSource,
    confidence: client.profileConfidence,
  });
  await tx`
    insert into public.crm_client_events (project_id, client_id, kind, data)
    values (${projectId}::uuid, ${client.id}::uuid, 'classified',
            ${tx.json(eventData(result, settings.threshold, decided, messageId))})`;
  if (decided.apply) {
    await tx`
      update public.crm_clients
         set profile_type = ${result.profileType}, profile_confidence = ${result.confidence},
             profile_source = 'classifier'
       where id = ${client.id}::uuid`;
  }
}

function eventData(
  r: Classification,
  threshold: number,
  v: { apply: boolean; reason: string },
  messageId: string,
) {
  return {
    message_id: messageId,
    profile_type: r.profileType,
    confidence: r.confidence,
    matched: r.matched,
    ...(r.competing
      ? { competing: { profile_type: r.competing.profileType, matched: r.competing.matched } }
      : {}),
    threshold,
    applied: v.apply,
    reason: v.reason,
  };
}
