import { beforeEach, describe, expect, it } from 'vitest';
import type { CrmDeps } from '../../../worker/crm/context.ts';
import { mediaHandler } from '../../../worker/crm/media.ts';
import { purgeHandler } from '../../../worker/crm/purge.ts';
import { PHONE_NUMBER_ID, useGraphEmulator } from '../../helpers/graph.ts';
import { useStorageEmulator } from '../../helpers/storage-emulator.ts';
import { crmDeps, forwarder, jobContext, seedChannel } from './harness.ts';

const s = useStorageEmulator();
const g = useGraphEmulator();
let deps: CrmDeps;
let forward: () => Promise<void>;
let projectId = '';

beforeEach(async () => {
  deps = crmDeps(s, g);
  forward = forwarder(deps, g);
  ({ projectId } = await seedChannel(deps));
});

const PDF = Buffer.from('%PDF-1.7\n% a residence permit\n');

/** A document from a WhatsApp user, through the emulator's webhook, then the intake. */
async function documentMessage(): Promise<{ id: string; clientId: string }> {
  const sent = await g.graph.inbound({
    phone_number_id: PHONE_NUMBER_ID,
    from: '+34611222333',
    type: 'document',
    document: {
      data: PDF.toString('base64'),
      mime_type: 'application/pdf',
      filename: '../permit 2026.pdf',
    },
  });
  await forward();
  const [row] = await s.db.sql<{ id: string; clientId: string }[]>`
    select id, client_id as "clientId" from public.crm_messages where wamid = ${sent.id}`;
  return row!;
}

const media = async (id: string) =>
  (await s.db.sql`select media from public.crm_messages where id = ${id}`)[0]!.media;

describe('whatsapp.media and crm.purge', () => {
  it('keeps inbound media in the documents bucket under the client, then removes it with them', async () => {
    const { id, clientId } = await documentMessage();
    expect(await media(id)).toMatchObject({ state: 'pending', filename: '../permit 2026.pdf' });
    await mediaHandler(deps)({ message_id: id }, jobContext(deps));
    const stored = await media(id);
    expect(stored).toMatchObject({
      state: 'stored',
      mime_type: 'application/pdf',
      size: PDF.length,
    });
    expect(stored.path).toBe(`${projectId}/clients/${clientId}/whatsapp/${id}-permit_2026.pdf`);
    const download = await s.service().storage.from('documents').download(stored.path);
    expect(Buffer.from(await download.data!.arrayBuffer())).toEqual(PDF);
    const calls = await s.db.sql`
      select operation, http_status from public.crm_message_attempts where message_id = ${id} order by id`;
    expect(calls).toEqual([
      { operation: 'get_media', http_status: 200 },
      { operation: 'download_media', http_status: 200 },
    ]);

    await purgeHandler(deps)({ project_id: projectId, client_id: clientId }, jobContext(deps));
    const left = await s
      .service()
      .storage.from('documents')
      .list(`${projectId}/clients/${clientId}/whatsapp`);
    expect(left.data).toEqual([]);
  });

  it('purges media whose client was erased while it was being fetched', async () => {
    const { id, clientId } = await documentMessage();
    const storage = deps.storage!;
    // The erase lands between the download and the upload: it found no file to remove.
    const racing: CrmDeps = {
      ...deps,
      storage: {
        ...storage,
        upload: async (...args) => {
          await s.db.sql`delete from public.crm_clients where id = ${clientId}`;
          return storage.upload(...args);
        },
      },
    };
    await mediaHandler(racing)({ message_id: id }, jobContext(racing));
    const folder = `${projectId}/clients/${clientId}/whatsapp`;
    const listed = async () =>
      (await s.service().storage.from('documents').list(folder)).data?.map((f) => f.name);
    expect(await listed()).toEqual([expect.stringMatching(new RegExp(`^${id}-`))]);
    expect(await s.db.sql`select 1 from public.crm_documents where message_id = ${id}`).toEqual([]);
    const [job] = await s.db.sql`
      select data from pgboss.job where name = 'crm.purge' and data->>'client_id' = ${clientId}`;
    expect(job?.data).toEqual({ project_id: projectId, client_id: clientId });
    await purgeHandler(deps)(job?.data, jobContext(deps));
    expect(await listed()).toEqual([]);
  });

  it('keeps media by reference without Storage, and fails it when Meta no longer has it', async () => {
    const { id } = await documentMessage();
    const noStorage = crmDeps(s, g, { storage: false });
    await mediaHandler(noStorage)({ message_id: id }, jobContext(noStorage));
    expect(await media(id)).toMatchObject({ state: 'reference', id: expect.any(String) });

    const gone = await documentMessage();
    await s.db
      .sql`update public.crm_messages set media = media || '{"id": "1000000000000001"}' where id = ${gone.id}`;
    await mediaHandler(deps)({ message_id: gone.id }, jobContext(deps));
    expect(await media(gone.id)).toMatchObject({ state: 'failed', error: { code: 100 } });
  });
});
