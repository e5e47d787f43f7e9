import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useStorageEmulator } from '../../helpers/storage-emulator.ts';

// The policies of the private `documents` bucket (20261129003040_documents_bucket.sql): the
// first path segment is a project id; members read, owners and editors write. RLS decides
// exactly as it would on Supabase.
const s = useStorageEmulator();
let owner: Awaited<ReturnType<typeof s.user>>;
let viewer: Awaited<ReturnType<typeof s.user>>;
let stranger: Awaited<ReturnType<typeof s.user>>;
let project = '';

beforeAll(async () => {
  [owner, viewer, stranger] = [await s.user(), await s.user(), await s.user()];
  for (const u of [owner, viewer, stranger]) {
    await s.db.sql`insert into auth.users (id, email) values (${u.id}, ${`${u.id}@example.com`})`;
  }
  const [p] = await s.db.sql`
    insert into public.projects (owner_id, name) values (${owner.id}, 'Docs') returning id`;
  project = p?.id;
  await s.db.sql`
    insert into public.project_members (project_id, user_id, role, added_by)
    values (${project}, ${viewer.id}, 'viewer', ${owner.id})`;
});

const path = (file: string) => `${project}/${file}`;

describe('RLS on storage.objects decides who reads and writes', () => {
  it('lets the owner upload, a member read, and hides the object from everyone else', async () => {
    const up = await owner.client.storage
      .from('documents')
      .upload(path('contract.pdf'), new Blob(['%PDF-1.7'], { type: 'application/pdf' }));
    expect(up.error).toBeNull();
    const [row] = await s.db.sql`
      select owner::text from storage.objects where name = ${path('contract.pdf')}`;
    expect(row?.owner).toBe(owner.id);

    const read = await viewer.client.storage.from('documents').download(path('contract.pdf'));
    expect(await read.data?.text()).toBe('%PDF-1.7');

    const strangers = await stranger.client.storage
      .from('documents')
      .download(path('contract.pdf'));
    expect(strangers.data).toBeNull();
    expect(strangers.error).toMatchObject({ status: 400 });
    const raw = await s.call(`object/authenticated/documents/${path('contract.pdf')}`, {
      headers: { authorization: `Bearer ${stranger.token}` },
    });
    expect(await raw.json()).toMatchObject({ statusCode: '404', message: 'Object not found' });

    // The anon key is a valid JWT with role anon: no policy, so "not found" as well.
    const anon = await s.anon().storage.from('documents').download(path('contract.pdf'));
    expect(anon.data).toBeNull();
    // With no JWT at all, a private bucket does not exist.
    const nobody = await s.call(`object/documents/${path('contract.pdf')}`);
    expect(await nobody.json()).toMatchObject({ statusCode: '404', message: 'Bucket not found' });
  });

  it('refuses writes to a viewer and to a stranger with the RLS error', async () => {
    for (const who of [viewer, stranger]) {
      const { error } = await who.client.storage.from('documents').upload(path('x.txt'), 'x');
      expect(error).toMatchObject({
        status: 400,
        statusCode: '403',
        message: 'new row violates row-level security policy',
      });
    }
    // Writing outside any project (no uuid first segment) is refused even to the owner.
    const loose = await owner.client.storage.from('documents').upload('loose.txt', 'x');
    expect(loose.error).toMatchObject({ statusCode: '403' });
    const [row] = await s.db.sql`
      select count(*)::int as n from storage.objects where name in (${path('x.txt')}, 'loose.txt')`;
    expect(row?.n).toBe(0);
  });

  it('filters listings, signed URLs, info and exists by the same policies', async () => {
    await owner.client.storage.from('documents').upload(path('notes.txt'), 'notes');
    const mine = await viewer.client.storage.from('documents').list(project);
    expect(mine.data?.map((o) => o.name).sort()).toEqual(['contract.pdf', 'notes.txt']);
    expect((await stranger.client.storage.from('documents').list(project)).data).toEqual([]);

    expect(
      (await stranger.client.storage.from('documents').createSignedUrl(path('notes.txt'), 60))
        .error,
    ).toMatchObject({ statusCode: '404', message: 'Object not found' });
    const signed = await viewer.client.storage
      .from('documents')
      .createSignedUrl(path('notes.txt'), 60);
    expect(await (await s.fetch(signed.data?.signedUrl ?? '')).text()).toBe('notes');

    expect((await viewer.client.storage.from('documents').exists(path('notes.txt'))).data).toBe(
      true,
    );
    expect((await stranger.client.storage.from('documents').exists(path('notes.txt'))).data).toBe(
      false,
    );
    expect(
      (await stranger.client.storage.from('documents').info(path('notes.txt'))).error,
    ).toMatchObject({ statusCode: '404' });
  });

  it('lets only writers move, overwrite and delete', async () => {
    const viewerMove = await viewer.client.storage
      .from('documents')
      .move(path('notes.txt'), path('moved.txt'));
    expect(viewerMove.error).toMatchObject({ statusCode: '404', message: 'Object not found' });
    const overwrite = await viewer.client.storage
      .from('documents')
      .upload(path('notes.txt'), 'changed', { upsert: true });
    expect(overwrite.error).toMatchObject({ statusCode: '403' });

    // A delete RLS does not allow removes nothing: the caller is told what was removed.
    const viewerRemove = await viewer.client.storage.from('documents').remove([path('notes.txt')]);
    expect(viewerRemove).toEqual({ data: [], error: null });
    expect(existsSync((await s.emulator.fileOf('documents', path('notes.txt'))) ?? '')).toBe(true);

    const ownerRemove = await owner.client.storage.from('documents').remove([path('notes.txt')]);
    expect(ownerRemove.data?.map((o) => o.name)).toEqual([path('notes.txt')]);
  });

  it('exposes the caller and the operation to policies', async () => {
    await s.service().storage.createBucket('ops', { public: false });
    await s.service().storage.from('ops').upload('listed-only.txt', 'x');
    await s.db.sql`
      create policy ops_list_only on storage.objects for select to authenticated
        using (bucket_id = 'ops' and storage.operation() = 'storage.object.list'
               and auth.jwt() ->> 'role' = 'authenticated' and auth.uid() is not null)`;
    const listed = await stranger.client.storage.from('ops').list();
    expect(listed.data?.map((o) => o.name)).toEqual(['listed-only.txt']);
    const read = await stranger.client.storage.from('ops').download('listed-only.txt');
    expect(read.data).toBeNull();
  });
});
