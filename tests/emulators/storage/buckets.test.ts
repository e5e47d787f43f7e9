import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useStorageEmulator } from '../../helpers/storage-emulator.ts';

const s = useStorageEmulator();
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

beforeAll(async () => {
  // Signed-in users may create buckets whose names start with "team-" (a test policy).
  await s.db.sql`
    create policy "team buckets" on storage.buckets for insert to authenticated
      with check (name like 'team-%')`;
  await s.db.sql`
    create policy "see team buckets" on storage.buckets for select to authenticated
      using (name like 'team-%')`;
});

describe('buckets with the service role', () => {
  it('creates, reads, lists, updates and deletes a bucket', async () => {
    const admin = s.service().storage;
    const created = await admin.createBucket('avatars', {
      public: true,
      fileSizeLimit: '1MB',
      allowedMimeTypes: ['image/png', 'image/*', ''],
    });
    expect(created).toEqual({ data: { name: 'avatars' }, error: null });

    const { data: bucket, error } = await admin.getBucket('avatars');
    expect(error).toBeNull();
    expect(bucket).toEqual({
      id: 'avatars',
      name: 'avatars',
      owner: '',
      public: true,
      file_size_limit: 1_000_000,
      allowed_mime_types: ['image/png', 'image/*'],
      created_at: expect.stringMatching(ISO),
      updated_at: expect.stringMatching(ISO),
    });

    const listed = await admin.listBuckets();
    expect(listed.data?.find((b) => b.id === 'avatars')).toMatchObject({
      type: 'STANDARD',
      public: true,
    });

    const updated = await admin.updateBucket('avatars', {
      public: false,
      fileSizeLimit: 2048,
      allowedMimeTypes: null as unknown as string[],
    });
    expect(updated).toEqual({ data: { message: 'Successfully updated' }, error: null });
    expect((await admin.getBucket('avatars')).data).toMatchObject({
      public: false,
      file_size_limit: 2048,
      allowed_mime_types: null,
    });

    expect(await admin.deleteBucket('avatars')).toEqual({
      data: { message: 'Successfully deleted' },
      error: null,
    });
    const gone = await admin.getBucket('avatars');
    expect(gone.error).toMatchObject({
      status: 400,
      statusCode: '404',
      message: 'Bucket not found',
    });
  });

  it('lists with search, sorting, limit and offset', async () => {
    const admin = s.service().storage;
    for (const id of ['list-c', 'list-a', 'list-b']) await admin.createBucket(id);
    const { data } = await admin.listBuckets({
      search: 'list-',
      sortColumn: 'name',
      sortOrder: 'desc',
      limit: 2,
      offset: 1,
    });
    expect(data?.map((b) => b.name)).toEqual(['list-b', 'list-a']);
  });

  it('empties a bucket (service role only), after which it can be deleted', async () => {
    const admin = s.service().storage;
    await admin.createBucket('to-empty');
    await admin.from('to-empty').upload('a/one.txt', 'one');
    await admin.from('to-empty').upload('two.txt', 'two');
    const file = await s.emulator.fileOf('to-empty', 'two.txt');
    expect(existsSync(file ?? '')).toBe(true);

    const notEmpty = await admin.deleteBucket('to-empty');
    expect(notEmpty.error).toMatchObject({
      statusCode: '409',
      message: 'The bucket you tried to delete is not empty',
    });

    const user = await s.user();
    const refused = await user.client.storage.emptyBucket('to-empty');
    expect(refused.error).toMatchObject({ status: 403, message: 'Access denied: Invalid role' });

    const emptied = await admin.emptyBucket('to-empty');
    expect(emptied.error).toBeNull();
    expect(emptied.data?.message).toMatch(/^Empty bucket has been queued/);
    const [row] = await s.db.sql`
      select count(*)::int as n from storage.objects where bucket_id = 'to-empty'`;
    expect(row?.n).toBe(0);
    await expect(import('node:fs/promises').then((fs) => fs.stat(file!))).rejects.toThrow();
    expect((await admin.deleteBucket('to-empty')).error).toBeNull();
  });
});

describe('bucket errors, as Storage words them', () => {
  it('refuses a duplicate, a bad name, an unknown bucket and a too-large limit', async () => {
    const admin = s.service().storage;
    await admin.createBucket('dupe');
    expect((await admin.createBucket('dupe')).error).toMatchObject({
      status: 400,
      statusCode: '409',
      message: 'The resource already exists',
    });
    const badName = await admin.createBucket('no/slashes');
    expect(badName.error).toMatchObject({ statusCode: '400', message: 'Bucket name invalid' });
    const spaced = await admin.createBucket(' padded ');
    expect(spaced.error).toMatchObject({ message: 'Bucket name invalid' });

    expect((await admin.updateBucket('missing', { public: true })).error).toMatchObject({
      statusCode: '404',
      message: 'Bucket not found',
    });
    expect((await admin.deleteBucket('missing')).error).toMatchObject({
      statusCode: '404',
      message: 'Bucket not found',
    });

    const tooBig = await admin.createBucket('huge', { public: false, fileSizeLimit: '60GB' });
    expect(tooBig.error).toMatchObject({
      statusCode: '413',
      message: 'The object exceeded the maximum allowed size',
    });
    const badMime = await admin.createBucket('mimes', {
      public: false,
      allowedMimeTypes: ['not a type'],
    });
    expect(badMime.error).toMatchObject({
      statusCode: '415',
      message: 'mime type not a type is not supported',
    });
  });

  it('answers a malformed body with a 400, never a 500', async () => {
    const res = await s.call('bucket', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${(await s.user()).token}`,
        'content-type': 'application/json',
      },
      body: '{"name":',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      statusCode: '400',
      code: 'InvalidRequest',
      error: 'FastifyError',
      message: "Body is not valid JSON but content-type is set to 'application/json'",
    });
    const missing = await s.call('bucket', {
      method: 'POST',
      headers: { authorization: `Bearer ${(await s.user()).token}` },
      body: '{}',
    });
    expect((await missing.json()).message).toBe("body must have required property 'name'");
  });
});

describe('buckets under RLS', () => {
  it('lets policies decide who creates and sees buckets', async () => {
    const { client } = await s.user();
    const denied = await client.storage.createBucket('private-stuff');
    expect(denied.error).toMatchObject({
      status: 400,
      statusCode: '403',
      message: 'new row violates row-level security policy',
    });
    expect((await client.storage.createBucket('team-one')).error).toBeNull();
    const { data } = await client.storage.listBuckets();
    expect(data?.every((b) => b.name.startsWith('team-'))).toBe(true);
    expect(data?.map((b) => b.name)).toContain('team-one');

    // Anonymous callers have no policy at all: they see no buckets and create none.
    expect((await s.anon().storage.listBuckets()).data).toEqual([]);
    expect((await s.anon().storage.createBucket('team-anon')).error).toMatchObject({
      statusCode: '403',
    });
    // A bucket the caller cannot see is "not found", never "forbidden".
    await s.service().storage.createBucket('hidden');
    expect((await client.storage.getBucket('hidden')).error).toMatchObject({
      statusCode: '404',
    });
  });

  it('refuses a forged or missing JWT with Storage errors', async () => {
    const forged = await s.call('bucket', { headers: { authorization: 'Bearer not.a.jwt' } });
    expect(forged.status).toBe(400);
    expect(await forged.json()).toMatchObject({
      statusCode: '403',
      code: 'AccessDenied',
      error: 'Unauthorized',
    });
    const none = await s.call('bucket');
    expect(await none.json()).toMatchObject({
      statusCode: '400',
      message: "headers must have required property 'authorization'",
    });
  });
});
