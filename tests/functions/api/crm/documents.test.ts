import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { SUPABASE_URL } from '../../../helpers/auth-emulator.ts';
import { crmFixtures } from './helpers.ts';
import { PDF, uploadDocument, useDocumentsApi } from './storage.ts';

const h = useDocumentsApi();
const { team, client, api, sql } = crmFixtures(h.fx);

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);

async function setup() {
  const t = await team();
  const clientId = await client(t.projectId);
  const base = `/projects/${t.projectId}/clients/${clientId}/documents`;
  return { t, clientId, base };
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => `${e.parentPath}/${e.name}`);
}

describe('documents of a client', () => {
  it('an editor uploads; a member downloads through the 60-second link, a stranger and no token cannot', async () => {
    const { t, clientId, base } = await setup();
    const res = await uploadDocument(h.fx, base, t.editor.token, {
      bytes: PDF,
      type: 'application/pdf',
      name: '../../etc/passport.pdf',
    });
    expect(res.status).toBe(201);
    const doc = await res.json();
    expect(doc).toMatchObject({
      client_id: clientId,
      file_name: 'passport.pdf',
      content_type: 'application/pdf',
      size_bytes: PDF.length,
      status: 'pending',
      source: 'upload',
      uploaded_by: t.editor.id,
    });
    // The stored name is the server's: the client's folder and the document's id.
    const [object] = await sql()<{ name: string }[]>`
      select name from storage.objects where bucket_id = 'documents' and name like ${`%${doc.id}`}`;
    expect(object?.name).toBe(`${t.projectId}/clients/${clientId}/documents/${doc.id}`);

    const link = await api(`${base}/${doc.id}/link`, { token: t.viewer.token });
    expect(link.status).toBe(200);
    expect(Date.parse(link.body.expires_at) - h.clock.now()).toBe(60_000);
    const got = await h.fetchStorage(link.body.url);
    expect(got.status).toBe(200);
    expect(new Uint8Array(await got.arrayBuffer())).toEqual(PDF);

    // After 60 seconds the same link is refused by Storage.
    h.clock.advance(61_000);
    expect((await h.fetchStorage(link.body.url)).status).toBe(400);

    expect((await api(`${base}/${doc.id}/link`, { token: t.stranger.token })).status).toBe(404);
    expect((await api(`${base}/${doc.id}/link`)).status).toBe(401);
    // Storage itself: the private object without a token, and with a stranger's.
    const direct = `${SUPABASE_URL}/storage/v1/object/documents/${object?.name}`;
    expect((await h.fetchStorage(direct)).status).toBeGreaterThanOrEqual(400);
    expect((await h.fetchStorage(direct)).status).toBeLessThan(500);
    const asStranger = await h.fetchStorage(direct, {
      headers: { authorization: `Bearer ${t.stranger.token}` },
    });
    expect(asStranger.status).toBe(400);
    const asViewer = await h.fetchStorage(direct, {
      headers: { authorization: `Bearer ${t.viewer.token}` },
    });
    expect(asViewer.status).toBe(200);
  });

  it('refuses a viewer, a wrong type, content that is not its type, and a file too large', async () => {
    const { t, base } = await setup();
    const pdf = { bytes: PDF, type: 'application/pdf', name: 'a.pdf' };
    expect((await uploadDocument(h.fx, base, t.viewer.token, pdf)).status).toBe(403);
    const exe = await uploadDocument(h.fx, base, t.editor.token, {
      bytes: PDF,
      type: 'application/x-msdownload',
      name: 'a.exe',
    });
    expect(exe.status).toBe(422);
    expect((await exe.json()).errors[0].path).toBe('body.file');
    const disguised = await uploadDocument(h.fx, base, t.editor.token, {
      bytes: PNG,
      type: 'application/pdf',
      name: 'a.pdf',
    });
    expect(disguised.status).toBe(422);
    const huge = new Uint8Array(10 * 1024 * 1024 + 1);
    huge.set(PDF);
    const tooLarge = await uploadDocument(h.fx, base, t.editor.token, { ...pdf, bytes: huge });
    expect(tooLarge.status).toBe(422);
    const tooLargeBody = new Uint8Array(11 * 1024 * 1024);
    tooLargeBody.set(PDF);
    const over = await uploadDocument(h.fx, base, t.editor.token, { ...pdf, bytes: tooLargeBody });
    expect(over.status).toBe(413);
    const [{ count }] = (await sql()`
      select count(*)::int from public.crm_documents d
        join public.crm_clients c on c.id = d.client_id
       where c.project_id = ${t.projectId}`) as unknown as [{ count: number }];
    expect(count).toBe(0);
  });

  it('records who set the status, lists newest first, and logs each read', async () => {
    const { t, clientId, base } = await setup();
    const up = await uploadDocument(h.fx, base, t.owner.token, {
      bytes: new TextEncoder().encode('hello'),
      type: 'text/plain',
      name: 'note.txt',
    });
    const doc = await up.json();
    const denied = await api(`${base}/${doc.id}`, {
      method: 'PATCH',
      token: t.viewer.token,
      json: { status: 'verified' },
    });
    expect(denied.status).toBe(403);
    const ok = await api(`${base}/${doc.id}`, {
      method: 'PATCH',
      token: t.editor.token,
      json: { status: 'rejected' },
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 'rejected', status_changed_by: t.editor.id });
    expect(ok.body.status_changed_at).toEqual(expect.any(String));

    const list = await api(base, { token: t.viewer.token });
    expect(list.body.data.map((d: { id: string }) => d.id)).toEqual([doc.id]);
    const events = await sql()<{ actor_id: string; action: string }[]>`
      select actor_id, action from public.crm_access_events
       where client_id = ${clientId} order by id`;
    expect(events).toEqual([{ actor_id: t.viewer.id, action: 'documents' }]);
  });

  it('deletes the object from disk and the row together', async () => {
    const { t, base } = await setup();
    const up = await uploadDocument(h.fx, base, t.editor.token, {
      bytes: PDF,
      type: 'application/pdf',
      name: 'x.pdf',
    });
    const doc = await up.json();
    const [object] = await sql()<{ name: string }[]>`
      select name from storage.objects where name like ${`%${doc.id}`}`;
    const file = await h.storage.fileOf('documents', object!.name);
    expect(file && existsSync(file)).toBe(true);

    expect(
      (await api(`${base}/${doc.id}`, { method: 'DELETE', token: t.viewer.token })).status,
    ).toBe(403);
    expect(
      (await api(`${base}/${doc.id}`, { method: 'DELETE', token: t.editor.token })).status,
    ).toBe(204);
    expect(existsSync(file as string)).toBe(false);
    expect(await filesUnder(h.dataDir)).not.toContain(file);
    const rows = await sql()`select 1 from public.crm_documents where id = ${doc.id}`;
    expect(rows).toHaveLength(0);
    expect((await api(`${base}/${doc.id}/link`, { token: t.editor.token })).status).toBe(404);
  });

  it('removes the stored file when the transaction fails after Storage took it', async () => {
    const { t, clientId, base } = await setup();
    // A rule checked at commit, after the upload: the row cannot be kept.
    await sql()`
      create function public.refuse_at_commit() returns trigger language plpgsql as $$
      begin raise exception 'refused at commit'; end $$`;
    await sql()`
      create constraint trigger refuse_at_commit after insert on public.crm_documents
        deferrable initially deferred for each row
        when (new.file_name = 'refused.pdf') execute function public.refuse_at_commit()`;
    try {
      const before = await filesUnder(h.dataDir);
      const res = await uploadDocument(h.fx, base, t.editor.token, {
        bytes: PDF,
        type: 'application/pdf',
        name: 'refused.pdf',
      });
      expect(res.status).toBe(500);
      expect(await res.text()).not.toContain('refused at commit');
      const folder = `${t.projectId}/clients/${clientId}/documents/%`;
      expect(await sql()`select name from storage.objects where name like ${folder}`).toEqual([]);
      expect(await filesUnder(h.dataDir)).toEqual(before);
      expect(await sql()`select 1 from public.crm_documents where client_id = ${clientId}`).toEqual(
        [],
      );
    } finally {
      await sql()`drop trigger refuse_at_commit on public.crm_documents`;
      await sql()`drop function public.refuse_at_commit()`;
    }
  });
});
