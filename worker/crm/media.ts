import type postgres from 'postgres';
import type { Tx } from '../../shared/db/client.ts';
import { asService } from '../../shared/db/doors.ts';
import { enqueue } from '../../shared/jobs/enqueue.ts';
import type { WhatsappMediaJob } from '../../shared/jobs/queues.ts';
import type { JobContext } from '../runtime/runner.ts';
import { GraphApiError } from '../whatsapp/errors.ts';
import type { GraphAttempt } from '../whatsapp/request.ts';
import type { CrmDeps } from './context.ts';
import { channelById, insertAttempt } from './store.ts';

interface Pending {
  projectId: string;
  clientId: string;
  channelId: string | null;
  media: { id: string; mime_type: string; filename?: string; state: string };
}

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'audio/ogg': 'ogg',
  'audio/mpeg': 'mp3',
  'audio/mp4': 'm4a',
  'video/mp4': 'mp4',
  'application/pdf': 'pdf',
  'text/plain': 'txt',
};

/**
 * Where a message's media lives in the `documents` bucket: under the client's folder, named
 * by the message (unique) and a cleaned file name, so a sender cannot pick a path.
 */
export function mediaPath(p: Pending, messageId: string): string {
  const mime = p.media.mime_type.split(';')[0]?.trim() ?? '';
  const cleaned = (p.media.filename ?? '').replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '');
  const name = cleaned.slice(-100) || `media.${EXTENSIONS[mime] ?? 'bin'}`;
  return `${p.projectId}/clients/${p.clientId}/whatsapp/${messageId}-${name}`;
}

async function setMedia(tx: Tx, id: string, patch: Record<string, unknown>): Promise<void> {
  await tx`
    update public.crm_messages m set media = m.media || ${tx.json(patch as postgres.JSONValue)}
     where m.id = ${id}::uuid`;
}

/**
 * The stored media as one of the client's documents (`source: whatsapp`), so it is listed,
 * reviewed and linked like an upload; once per message.
 */
async function recordMediaDocument(
  tx: Tx,
  p: Pending,
  messageId: string,
  path: string,
  file: { mimeType: string; fileSize: number },
): Promise<void> {
  const type = (file.mimeType.split(';')[0] ?? '').trim().toLowerCase();
  await tx`
    insert into public.crm_documents
      (project_id, client_id, object_path, file_name, content_type, size_bytes, source, message_id)
    values (${p.projectId}::uuid, ${p.clientId}::uuid, ${path}, ${path.split('/').at(-1) ?? 'media'},
            ${/^[a-z0-9.+-]+\/[a-z0-9.+-]+$/.test(type) ? type : 'application/octet-stream'},
            ${file.fileSize}, 'whatsapp', ${messageId}::uuid)
    on conflict do nothing`;
}

/**
 * `whatsapp.media`: fetches an inbound message's media from the Graph API (checked against
 * its SHA-256) and keeps it in Storage. Without Storage the media stays a reference to Meta's
 * id (`state: reference`; Meta keeps it for 30 days). A refusal Meta will repeat (an expired
 * id) fails the media at once; anything else is retried by pg-boss, and fails on the last try.
 */
export function mediaHandler(deps: CrmDeps) {
  return async ({ message_id: id }: WhatsappMediaJob, ctx: JobContext): Promise<void> => {
    const [pending] = await asService(
      deps.db,
      (tx) => tx<Pending[]>`
        select project_id as "projectId", client_id as "clientId", channel_id as "channelId",
               media
          from public.crm_messages where id = ${id}::uuid and media->>'state' = 'pending'`,
    );
    if (!pending) return;
    const set = (patch: Record<string, unknown>) =>
      asService(deps.db, (tx) => setMedia(tx, id, patch));
    if (!deps.storage) return set({ state: 'reference' });
    const channel = pending.channelId
      ? await asService(deps.db, (tx) => channelById(tx, pending.channelId as string))
      : undefined;
    if (!channel || !deps.cipher) return set({ state: 'reference' });
    const accessToken = await deps.cipher.open(channel.sealedToken, channel.id);
    const recorded: Array<Promise<unknown>> = [];
    const onAttempt = (a: GraphAttempt) =>
      recorded.push(asService(deps.db, (tx) => insertAttempt(tx, id, a)).catch(() => {}));
    try {
      const file = await deps.graph.downloadMedia(
        { phoneNumberId: channel.phoneNumberId, accessToken },
        pending.media.id,
        { signal: ctx.signal, onAttempt },
      );
      const path = mediaPath(pending, id);
      await deps.storage.upload(path, file.bytes, file.mimeType);
      await Promise.all(recorded);
      const kept = await asService(deps.db, async (tx) => {
        // Locked, so an erase or a deletion either ended before (the row is gone) or waits
        // for this commit, and then removes the client's files with this one among them.
        const [still] = await tx`
          select 1 from public.crm_messages where id = ${id}::uuid for update`;
        if (!still) {
          // Gone while the file was on its way: it must not outlive its client.
          await enqueue(tx, 'crm.purge', {
            project_id: pending.projectId,
            client_id: pending.clientId,
          });
          return false;
        }
        await setMedia(tx, id, {
          state: 'stored',
          path,
          size: file.fileSize,
          mime_type: file.mimeType,
        });
        await recordMediaDocument(tx, pending, id, path, file);
        return true;
      });
      if (!kept) ctx.log.info('message gone before its media was kept: purging', { message: id });
    } catch (err) {
      await Promise.all(recorded);
      if (ctx.signal.aborted) throw err;
      const final =
        (err instanceof GraphApiError && !err.retryable) || ctx.retryCount >= ctx.retryLimit;
      if (!final) throw err;
      ctx.log.warn('media could not be fetched', { message: id, err });
      await set({
        state: 'failed',
        error:
          err instanceof GraphApiError
            ? { code: err.code, message: err.message }
            : { message: String(err) },
      });
    }
  };
}
