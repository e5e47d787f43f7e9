import { STATUS_RANK } from '../../shared/crm/messages.ts';
import type { Tx } from '../../shared/db/client.ts';
import { asService } from '../../shared/db/doors.ts';
import type { WhatsappSendJob } from '../../shared/jobs/queues.ts';
import type { OutboundMessage } from '../../shared/whatsapp/graph-types.ts';
import type { JobContext } from '../runtime/runner.ts';
import type { SentMessage } from '../whatsapp/client.ts';
import { GraphApiError } from '../whatsapp/errors.ts';
import type { GraphAttempt } from '../whatsapp/request.ts';
import type { CrmDeps } from './context.ts';
import {
  applyStatus,
  channelById,
  failSend,
  insertAttempt,
  lockWamid,
  storedStatuses,
} from './store.ts';

interface Claimed {
  channelId: string | null;
  content: OutboundMessage;
}

/**
 * Claims a queued message for sending (queued → sending, committed before Meta is called).
 * Null when it is not queued: sent already, or left `sending` by a worker that stopped
 * mid-call (its outcome unknown).
 */
async function claim(tx: Tx, id: string): Promise<Claimed | null> {
  const [row] = await tx<Claimed[]>`
    update public.crm_messages m set status = 'sending', status_rank = ${STATUS_RANK.sending}
     where m.id = ${id}::uuid and m.status = 'queued'
    returning m.channel_id as "channelId", m.content`;
  return row ?? null;
}

/**
 * `whatsapp.send`: sends one queued message through the Graph API, which retries 429, 5xx and
 * Meta's throttling codes with backoff; every attempt is recorded. Meta offers no idempotency
 * key, so a message is never sent twice: a job that finds it still `sending` (the worker died
 * during the call) marks it failed instead of calling again. A refusal is recorded on the
 * message (failed, with Meta's code) rather than retried by pg-boss.
 */
export function sendHandler(deps: CrmDeps) {
  return async ({ message_id: id }: WhatsappSendJob, ctx: JobContext): Promise<void> => {
    const claimed = await asService(deps.db, (tx) => claim(tx, id));
    if (!claimed) {
      await asService(deps.db, (tx) =>
        failSend(tx, id, {
          code: 'interrupted',
          message: 'The worker stopped while sending; not sent again, to avoid a duplicate',
        }),
      );
      return;
    }
    const fail = (error: Record<string, unknown>) =>
      asService(deps.db, (tx) => failSend(tx, id, error));
    const channel = claimed.channelId
      ? await asService(deps.db, (tx) => channelById(tx, claimed.channelId as string))
      : undefined;
    if (!channel) return fail({ code: 'no_channel', message: 'The number was disconnected' });
    if (!deps.cipher) {
      return fail({ code: 'not_configured', message: 'CRM_ENCRYPTION_KEY is not set' });
    }
    let accessToken: string;
    try {
      accessToken = await deps.cipher.open(channel.sealedToken, channel.id);
    } catch {
      return fail({ code: 'channel_token', message: "The channel's token cannot be opened" });
    }
    const recorded: Array<Promise<unknown>> = [];
    const onAttempt = (a: GraphAttempt) =>
      recorded.push(
        asService(deps.db, (tx) => insertAttempt(tx, id, a)).catch((err) =>
          ctx.log.error('could not record a send attempt', { err }),
        ),
      );
    let sent: SentMessage;
    try {
      sent = await deps.graph.sendMessage(
        { phoneNumberId: channel.phoneNumberId, accessToken },
        claimed.content,
        { signal: ctx.signal, onAttempt },
      );
    } catch (err) {
      await Promise.all(recorded);
      if (ctx.signal.aborted) throw err;
      ctx.log.warn('send failed', { message: id, err });
      return fail(errorOf(err));
    }
    await Promise.all(recorded);
    await asService(deps.db, (tx) => recordSent(tx, id, sent.id));
  };
}

/** Meta's error, as the timeline shows it. */
function errorOf(err: unknown): Record<string, unknown> {
  if (err instanceof GraphApiError) {
    return {
      code: err.code,
      message: err.message,
      ...(err.details ? { details: err.details } : {}),
      http_status: err.httpStatus,
    };
  }
  return { code: 'unreachable', message: err instanceof Error ? err.message : String(err) };
}

/**
 * Records the wamid Meta answered, then applies any status webhook for it that arrived first
 * (the lock makes the status job and this wait for each other, so one of them applies it).
 */
async function recordSent(tx: Tx, id: string, wamid: string): Promise<void> {
  await lockWamid(tx, wamid);
  await tx`
    update public.crm_messages m
       set wamid = ${wamid}, status = 'accepted', status_rank = ${STATUS_RANK.accepted}
     where m.id = ${id}::uuid and m.status_rank < ${STATUS_RANK.accepted}`;
  for (const { item } of await storedStatuses(tx, wamid)) {
    await applyStatus(tx, {
      wamid,
      status: item.status,
      at: new Date(item.at),
      error: item.errors[0] ?? null,
    });
  }
}
