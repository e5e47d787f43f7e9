import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SERVICE_ROLE_KEY } from '../../../scripts/local/keys.ts';
import { useStorageEmulator } from '../../helpers/storage-emulator.ts';

const s = useStorageEmulator();
const files = () => s.service().storage.from('files');
const text = (blob: Blob | null) => blob?.text();

beforeAll(async () => {
  await s.service().storage.createBucket('files');
  await s.service().storage.createBucket('other');
});

describe('objects: upload, download, update', () => {
  it('round-trips a Blob (multipart, as storage-js sends it) with its type and metadata', async () => {
    const blob = new Blob(['<svg/>'], { type: 'image/svg+xml' });
    const up = await files().upload('pics/logo.svg', blob, {
      cacheControl: '60',
      metadata: { origin: 'test' },
    });
    expect(up.error).toBeNull();
    expect(up.data).toEqual({
      path: 'pics/logo.svg',
      fullPath: 'files/pics/logo.svg',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });

    const down = await files().download('pics/logo.svg');
    expect(down.error).toBeNull();
    expect(await text(down.data)).toBe('<svg/>');
    expect(down.data?.type).toBe('image/svg+xml');

    const info = await files().info('pics/logo.svg');
    expect(info.data).toMatchObject({
      id: up.data?.id,
      name: 'pics/logo.svg',
      bucketId: 'files',
      size: 6,
      contentType: 'image/svg+xml',
      cacheControl: 'max-age=60',
      etag: expect.stringMatching(/^"[0-9a-f]{32}"$/),
      metadata: { origin: 'test' },
    });
  });

  it('round-trips raw bytes with content type, cache control and x-metadata', async () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    const up = await files().upload('raw.bin', bytes, {
      contentType: 'application/x-thing',
      cacheControl: '120',
      metadata: { n: 5 },
    });
    expect(up.error).toBeNull();
    const res = await s.call('object/files/raw.bin', {
      headers: { authorization: `Bearer ${(await s.user()).token}` },
    });
    // The bucket is private and no policy lets a user read: RLS hides it.
    expect(res.status).toBe(400);
    const mine = await s.call('object/authenticated/files/raw.bin', {
      headers: { authorization: `Bearer ${DEMO_SERVICE_ROLE_KEY}` },
    });
    expect(mine.status).toBe(200);
    expect(mine.headers.get('content-type')).toBe('application/x-thing');
    expect(mine.headers.get('cache-control')).toBe('max-age=120');
    expect(mine.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
    expect(mine.headers.get('last-modified')).toBe(new Date(s.clock.now()).toUTCString());
    expect(new Uint8Array(await mine.arrayBuffer())).toEqual(bytes);
    expect((await files().info('raw.bin')).data?.metadata).toEqual({ n: 5 });
  });

  it('refuses to overwrite without upsert, overwrites with it, and update replaces', async () => {
    await files().upload('doc.txt', 'first');
    const again = await files().upload('doc.txt', 'second');
    expect(again.error).toMatchObject({
      status: 400,
      statusCode: '409',
      message: 'The resource already exists',
    });
    const before = await s.emulator.fileOf('files', 'doc.txt');
    expect((await files().upload('doc.txt', 'second', { upsert: true })).error).toBeNull();
    expect(await text((await files().download('doc.txt')).data)).toBe('second');
    // The replaced version's bytes are gone from disk.
    await expect(readFile(before!)).rejects.toThrow();

    expect((await files().update('doc.txt', 'third')).error).toBeNull();
    expect(await text((await files().download('doc.txt')).data)).toBe('third');
    const [row] = await s.db.sql`
      select metadata from storage.objects where bucket_id = 'files' and name = 'doc.txt'`;
    expect(row?.metadata).toMatchObject({ size: 5, mimetype: 'text/plain;charset=UTF-8' });
  });

  it('serves ranges, conditional requests and attachments', async () => {
    await files().upload('range.txt', '0123456789');
    const auth = { authorization: `Bearer ${DEMO_SERVICE_ROLE_KEY}` };
    const part = await s.call('object/files/range.txt', {
      headers: { ...auth, range: 'bytes=2-5' },
    });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 2-5/10');
    expect(await part.text()).toBe('2345');
    const bad = await s.call('object/files/range.txt', {
      headers: { ...auth, range: 'bytes=50-' },
    });
    expect(bad.status).toBe(416);
    const full = await s.call('object/files/range.txt?download=my%20file.txt', { headers: auth });
    expect(full.headers.get('content-disposition')).toBe(
      "attachment; filename=my%20file.txt; filename*=UTF-8''my%20file.txt",
    );
    const etag = full.headers.get('etag') ?? '';
    await full.body?.cancel();
    const cached = await s.call('object/files/range.txt', {
      headers: { ...auth, 'if-none-match': etag },
    });
    expect(cached.status).toBe(304);
  });

  it('answers "Object not found" for a missing object and tells exists()', async () => {
    const missing = await files().download('nope.txt');
    expect(missing.error).toMatchObject({ status: 400 });
    const res = await s.call('object/authenticated/files/nope.txt', {
      headers: { authorization: `Bearer ${DEMO_SERVICE_ROLE_KEY}` },
    });
    expect(await res.json()).toEqual({
      statusCode: '404',
      code: 'NoSuchKey',
      error: 'not_found',
      message: 'Object not found',
    });
    await files().upload('here.txt', 'x');
    expect((await files().exists('here.txt')).data).toBe(true);
    expect((await files().exists('nope.txt')).data).toBe(false);
  });
});

describe('objects: list, search, move, copy, remove', () => {
  beforeAll(async () => {
    const b = s.service().storage;
    await b.createBucket('tree');
    const t = b.from('tree');
    for (const name of ['a.txt', 'b.txt', 'C.txt', 'docs/x.pdf', 'docs/y.pdf', 'img/z.png']) {
      expect((await t.upload(name, name)).error).toBeNull();
    }
  });

  it('lists one folder level, with folders as entries without an id', async () => {
    const { data, error } = await s.service().storage.from('tree').list();
    expect(error).toBeNull();
    expect(data?.map((o) => [o.name, o.id === null])).toEqual([
      ['a.txt', false],
      ['b.txt', false],
      ['C.txt', false],
      ['docs', true],
      ['img', true],
    ]);
    const docs = await s.service().storage.from('tree').list('docs');
    expect(docs.data?.map((o) => o.name)).toEqual(['x.pdf', 'y.pdf']);
    expect(docs.data?.[0]?.metadata).toMatchObject({ size: 10, mimetype: expect.any(String) });
  });

  it('applies search, limit, offset and sortBy', async () => {
    const t = s.service().storage.from('tree');
    expect((await t.list('', { search: 'c' })).data?.map((o) => o.name)).toEqual(['C.txt']);
    expect((await t.list('', { limit: 2, offset: 1 })).data?.map((o) => o.name)).toEqual([
      'b.txt',
      'C.txt',
    ]);
    const desc = await t.list('', { sortBy: { column: 'name', order: 'desc' } });
    expect(desc.data?.map((o) => o.name)).toEqual(['img', 'docs', 'C.txt', 'b.txt', 'a.txt']);
    const byDate = await t.list('', { sortBy: { column: 'created_at', order: 'asc' } });
    expect(byDate.data?.slice(0, 2).map((o) => o.name)).toEqual(['docs', 'img']);
    const bad = await t.list('', { sortBy: { column: 'size' as 'name', order: 'asc' } });
    expect(bad.error).toMatchObject({ statusCode: '400' });
  });

  it('lists flat or grouped by folder with listV2 and a cursor', async () => {
    const t = s.service().storage.from('tree');
    const first = await t.listV2({ limit: 4 });
    expect(first.error).toBeNull();
    expect(first.data?.objects.map((o) => o.name)).toEqual([
      'C.txt',
      'a.txt',
      'b.txt',
      'docs/x.pdf',
    ]);
    expect(first.data?.hasNext).toBe(true);
    const next = await t.listV2({ limit: 4, cursor: first.data?.nextCursor });
    expect(next.data?.objects.map((o) => o.name)).toEqual(['docs/y.pdf', 'img/z.png']);
    expect(next.data?.hasNext).toBe(false);
    const grouped = await t.listV2({ with_delimiter: true });
    expect(grouped.data?.folders.map((f) => f.name)).toEqual(['docs/', 'img/']);
    expect(grouped.data?.objects.map((o) => o.name)).toEqual(['C.txt', 'a.txt', 'b.txt']);
  });

  it('moves and copies within and across buckets', async () => {
    const t = s.service().storage.from('tree');
    await t.upload('move-me.txt', 'moving');
    const { data: before } = await t.info('move-me.txt');
    expect((await t.move('move-me.txt', 'moved/here.txt')).data).toEqual({
      message: 'Successfully moved',
      Id: before?.id,
      Key: 'moved/here.txt',
    });
    expect((await t.exists('move-me.txt')).data).toBe(false);
    expect(await text((await t.download('moved/here.txt')).data)).toBe('moving');

    const copied = await t.copy('moved/here.txt', 'copied.txt', { destinationBucket: 'other' });
    expect(copied).toEqual({ data: { path: 'other/copied.txt' }, error: null });
    expect(await text((await s.service().storage.from('other').download('copied.txt')).data)).toBe(
      'moving',
    );
    // Both keep their own bytes: removing the copy leaves the source readable.
    await s.service().storage.from('other').remove(['copied.txt']);
    expect(await text((await t.download('moved/here.txt')).data)).toBe('moving');

    expect((await t.move('nothing.txt', 'x.txt')).error).toMatchObject({ statusCode: '404' });
    expect((await t.copy('moved/here.txt', 'a.txt')).error).toMatchObject({
      statusCode: '409',
      message: 'The resource already exists',
    });
  });

  it('removes objects and their bytes, returning what was removed', async () => {
    const t = s.service().storage.from('tree');
    await t.upload('bye/1.txt', '1');
    await t.upload('bye/2.txt', '2');
    const path = await s.emulator.fileOf('tree', 'bye/1.txt');
    const { data, error } = await t.remove(['bye/1.txt', 'bye/2.txt', 'bye/none.txt']);
    expect(error).toBeNull();
    expect(data?.map((o) => o.name).sort()).toEqual(['bye/1.txt', 'bye/2.txt']);
    await expect(readFile(path!)).rejects.toThrow();
    expect((await t.list('bye')).data).toEqual([]);
  });
});

describe('public buckets and URLs', () => {
  it('serves public buckets to anyone, private ones to nobody without a JWT', async () => {
    const admin = s.service().storage;
    await admin.createBucket('pub', { public: true });
    await admin.from('pub').upload('hello.txt', 'hi there', { contentType: 'text/plain' });
    const { data } = s.anon().storage.from('pub').getPublicUrl('hello.txt');
    expect(data.publicUrl).toBe('http://supabase.test/storage/v1/object/public/pub/hello.txt');
    const res = await s.fetch(data.publicUrl);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('hi there');
    // Also through the routes that take an optional JWT, with none at all.
    expect((await s.call('object/pub/hello.txt')).status).toBe(200);
    expect((await s.call('object/info/pub/hello.txt')).status).toBe(200);

    await files().upload('secret.txt', 'shh');
    const priv = await s.fetch(
      s.anon().storage.from('files').getPublicUrl('secret.txt').data.publicUrl,
    );
    expect(priv.status).toBe(400);
    expect(await priv.json()).toMatchObject({ statusCode: '404', message: 'Bucket not found' });
    const noJwt = await s.call('object/files/secret.txt');
    expect(await noJwt.json()).toMatchObject({ message: 'Bucket not found' });
  });

  it('never serves stored HTML as HTML', async () => {
    await s.service().storage.from('pub').upload('page.html', '<script>x</script>', {
      contentType: 'text/html',
    });
    const res = await s.call('object/public/pub/page.html');
    expect(res.headers.get('content-type')).toBe('text/plain');
    expect(res.headers.get('x-robots-tag')).toBe('none');
  });
});
