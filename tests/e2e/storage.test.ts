import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ANON_KEY, DEMO_SERVICE_ROLE_KEY } from '../../scripts/local/keys.ts';
import { appClient } from '../helpers/browser.ts';
import { ManualClock } from '../helpers/clock.ts';
import { useLocalStack } from '../helpers/stack.ts';

// Supabase Storage as an app meets it: supabase-js `.storage` over real HTTP to the local
// stack's gateway, users signed in through the Auth emulator, time moved by hand.
const clock = new ManualClock();
const h = useLocalStack({}, { clock });
const url = () => h.stack.gatewayUrl;
const PASSWORD = 'storage-e2e-password';

async function signedIn(label: string) {
  const email = `${label}-${Date.now()}@example.com`;
  const admin = appClient(url(), { key: DEMO_SERVICE_ROLE_KEY });
  const created = await admin.auth.admin.createUser({
    email,
    password: PASSWORD,
    email_confirm: true,
  });
  expect(created.error).toBeNull();
  const client = appClient(url());
  const { data, error } = await client.auth.signInWithPassword({ email, password: PASSWORD });
  expect(error).toBeNull();
  return {
    id: created.data.user?.id as string,
    token: data.session?.access_token as string,
    client,
  };
}

let alice: Awaited<ReturnType<typeof signedIn>>;
let bob: Awaited<ReturnType<typeof signedIn>>;
const service = () => appClient(url(), { key: DEMO_SERVICE_ROLE_KEY }).storage;

beforeAll(async () => {
  alice = await signedIn('alice');
  bob = await signedIn('bob');
  // A policy as a migration would write it: each user owns the folder named by their id.
  await h.db.sql.unsafe(`
    create policy own_folder_read on storage.objects for select to authenticated
      using (bucket_id = 'private' and (storage.foldername(name))[1] = (select auth.uid())::text);
    create policy own_folder_write on storage.objects for insert to authenticated
      with check (bucket_id = 'private' and (storage.foldername(name))[1] = (select auth.uid())::text);
    create policy own_folder_delete on storage.objects for delete to authenticated
      using (bucket_id = 'private' and (storage.foldername(name))[1] = (select auth.uid())::text);
  `);
  expect((await service().createBucket('private', { public: false })).error).toBeNull();
  expect(
    (
      await service().createBucket('images', {
        public: true,
        fileSizeLimit: 1024,
        allowedMimeTypes: ['image/png'],
      })
    ).error,
  ).toBeNull();
});

describe('Supabase Storage through the local stack', () => {
  it('round-trips buckets and objects with supabase-js', async () => {
    const { data: buckets } = await service().listBuckets();
    // `documents` is the CRM's, made by its migration; the other two are this file's.
    expect(buckets?.map((b) => b.name).sort()).toEqual(['documents', 'images', 'private']);

    const mine = alice.client.storage.from('private');
    const path = `${alice.id}/notes/hello.txt`;
    expect(
      (await mine.upload(path, 'hello, storage', { contentType: 'text/plain' })).error,
    ).toBeNull();
    expect((await mine.list(`${alice.id}/notes`)).data?.map((o) => o.name)).toEqual(['hello.txt']);
    const down = await mine.download(path);
    expect(await down.data?.text()).toBe('hello, storage');
    expect((await mine.info(path)).data).toMatchObject({ size: 14, contentType: 'text/plain' });

    // The bytes live under the stack's data folder; removing the object removes them.
    const file = await h.stack.storage.fileOf('private', path);
    expect(file).toMatch(/\/storage\/[0-9a-f]{2}\/[0-9a-f-]{36}$/);
    expect((await mine.remove([path])).data?.map((o) => o.name)).toEqual([path]);
    expect(await h.stack.storage.fileOf('private', path)).toBeUndefined();

    const pub = service().from('images');
    await pub.upload(
      'dot.png',
      new Blob([new Uint8Array([137, 80, 78, 71])], { type: 'image/png' }),
    );
    const res = await fetch(pub.getPublicUrl('dot.png').data.publicUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(new Uint8Array([137, 80, 78, 71]));
  });

  it('serves a signed URL until it expires, then refuses it', async () => {
    const mine = alice.client.storage.from('private');
    const path = `${alice.id}/report.txt`;
    await mine.upload(path, 'quarterly numbers');
    const { data, error } = await mine.createSignedUrl(path, 60);
    expect(error).toBeNull();
    const link = data?.signedUrl ?? '';
    expect(link.startsWith(`${url()}/storage/v1/object/sign/private/`)).toBe(true);

    const before = await fetch(link);
    expect(before.status).toBe(200);
    expect(await before.text()).toBe('quarterly numbers');

    clock.advance(61_000);
    const after = await fetch(link);
    expect(after.status).toBe(400);
    expect(await after.json()).toEqual({
      statusCode: '400',
      code: 'InvalidJWT',
      error: 'InvalidJWT',
      message: '"exp" claim timestamp check failed',
    });
  });

  it("refuses an upload by size and by type with Storage's own errors", async () => {
    const images = service().from('images');
    const big = await images.upload(
      'big.png',
      new Blob([new Uint8Array(2048)], { type: 'image/png' }),
    );
    expect(big.error).toMatchObject({
      name: 'StorageApiError',
      status: 400,
      statusCode: '413',
      message: 'The object exceeded the maximum allowed size',
    });
    const pdf = await images.upload('doc.pdf', new Blob(['%PDF'], { type: 'application/pdf' }));
    expect(pdf.error).toMatchObject({
      status: 400,
      statusCode: '415',
      message: 'mime type application/pdf is not supported',
    });
    const raw = await fetch(`${url()}/storage/v1/object/images/doc.pdf`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${DEMO_SERVICE_ROLE_KEY}`,
        'content-type': 'application/pdf',
      },
      body: '%PDF',
    });
    expect(await raw.json()).toEqual({
      statusCode: '415',
      code: 'InvalidMimeType',
      error: 'invalid_mime_type',
      message: 'mime type application/pdf is not supported',
    });
  });

  it('lets RLS decide who reads an object: the owner can, another user and anon cannot', async () => {
    const path = `${alice.id}/diary.txt`;
    expect(
      (await alice.client.storage.from('private').upload(path, 'dear diary')).error,
    ).toBeNull();
    expect(await (await alice.client.storage.from('private').download(path)).data?.text()).toBe(
      'dear diary',
    );

    const asBob = await fetch(`${url()}/storage/v1/object/authenticated/private/${path}`, {
      headers: { authorization: `Bearer ${bob.token}`, apikey: DEMO_ANON_KEY },
    });
    expect(asBob.status).toBe(400);
    expect(await asBob.json()).toMatchObject({ statusCode: '404', message: 'Object not found' });
    expect((await bob.client.storage.from('private').download(path)).data).toBeNull();
    expect(
      (await bob.client.storage.from('private').upload(path, 'overwrite?')).error,
    ).toMatchObject({ statusCode: '403', message: 'new row violates row-level security policy' });

    // exists() is a HEAD through the gateway, decided the same way.
    expect((await alice.client.storage.from('private').exists(path)).data).toBe(true);
    expect((await bob.client.storage.from('private').exists(path)).data).toBe(false);

    const anon = appClient(url()).storage.from('private');
    expect((await anon.download(path)).data).toBeNull();
    expect((await anon.createSignedUrl(path, 60)).error).toMatchObject({ statusCode: '404' });
  });

  it('needs no apikey: storage-js on its own sends only Authorization', async () => {
    const res = await fetch(`${url()}/storage/v1/object/list/private`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ prefix: alice.id }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Array<{ name: string }>).map((o) => o.name)).toContain(
      'diary.txt',
    );
  });
});
