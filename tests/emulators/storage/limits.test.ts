import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SERVICE_ROLE_KEY } from '../../../scripts/local/keys.ts';
import { useStorageEmulator } from '../../helpers/storage-emulator.ts';

// A small project-wide limit (config.toml's `[storage] file_size_limit`), so tests stay fast.
const s = useStorageEmulator({ fileSizeLimit: 64 * 1024 });
const images = () => s.service().storage.from('images');
const auth = { authorization: `Bearer ${DEMO_SERVICE_ROLE_KEY}` };

beforeAll(async () => {
  const { error } = await s.service().storage.createBucket('images', {
    public: false,
    fileSizeLimit: 1024,
    allowedMimeTypes: ['image/png', 'image/jpeg', 'text/*'],
  });
  expect(error).toBeNull();
  await s.service().storage.createBucket('open', { public: false });
});

const TOO_LARGE = {
  status: 400,
  statusCode: '413',
  message: 'The object exceeded the maximum allowed size',
};

describe("a bucket's file_size_limit", () => {
  it('refuses a larger Blob (multipart) with Payload too large', async () => {
    const big = new Blob([new Uint8Array(1025)], { type: 'image/png' });
    expect((await images().upload('big.png', big)).error).toMatchObject(TOO_LARGE);
    const fits = new Blob([new Uint8Array(1024)], { type: 'image/png' });
    expect((await images().upload('fits.png', fits)).error).toBeNull();
    const [row] = await s.db.sql`
      select count(*)::int as n from storage.objects where name = 'big.png'`;
    expect(row?.n).toBe(0);
  });

  it('refuses larger raw bytes, by Content-Length and while streaming', async () => {
    const raw = await s.call('object/images/raw.png', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'image/png' },
      body: new Uint8Array(2000),
    });
    expect(raw.status).toBe(400);
    expect(await raw.json()).toEqual({
      statusCode: '413',
      code: 'EntityTooLarge',
      error: 'Payload too large',
      message: 'The object exceeded the maximum allowed size',
    });
    // No Content-Length (a stream): refused once the bytes pass the limit.
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 4; i++) controller.enqueue(new Uint8Array(512));
        controller.close();
      },
    });
    const streamed = await s.call('object/images/stream.png', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'image/png' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect((await streamed.json()).code).toBe('EntityTooLarge');
    expect(await s.emulator.fileOf('images', 'stream.png')).toBeUndefined();
  });

  it('applies the project limit to buckets without their own', async () => {
    const open = s.service().storage.from('open');
    const over = new Blob([new Uint8Array(64 * 1024 + 1)]);
    expect((await open.upload('over.bin', over)).error).toMatchObject(TOO_LARGE);
    expect(
      (await open.upload('under.bin', new Blob([new Uint8Array(64 * 1024)]))).error,
    ).toBeNull();
  });

  it('keeps an empty-folder placeholder at zero bytes', async () => {
    const open = s.service().storage.from('open');
    expect((await open.upload('f/.emptyFolderPlaceholder', '')).error).toBeNull();
    expect((await open.upload('g/.emptyFolderPlaceholder', 'x')).error).toMatchObject(TOO_LARGE);
  });
});

describe("a bucket's allowed_mime_types", () => {
  it('refuses another type with invalid_mime_type, raw or multipart', async () => {
    const pdf = new Blob(['%PDF'], { type: 'application/pdf' });
    expect((await images().upload('doc.pdf', pdf)).error).toMatchObject({
      status: 400,
      statusCode: '415',
      message: 'mime type application/pdf is not supported',
    });
    const raw = await s.call('object/images/doc.pdf', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/pdf' },
      body: '%PDF',
    });
    expect(await raw.json()).toEqual({
      statusCode: '415',
      code: 'InvalidMimeType',
      error: 'invalid_mime_type',
      message: 'mime type application/pdf is not supported',
    });
  });

  it('accepts exact types and wildcards, and a form field may set the type', async () => {
    expect((await images().upload('a.jpg', 'x', { contentType: 'image/jpeg' })).error).toBeNull();
    expect((await images().upload('a.csv', 'x', { contentType: 'text/csv' })).error).toBeNull();
    const form = new FormData();
    form.append('contentType', 'image/png');
    form.append('', new Blob(['png']));
    expect((await images().upload('form.png', form)).error).toBeNull();
    expect((await images().info('form.png')).data?.contentType).toBe('image/png');
  });

  it('checks the type and size of an update too', async () => {
    expect((await images().update('a.jpg', 'y', { contentType: 'video/mp4' })).error).toMatchObject(
      { statusCode: '415' },
    );
    const big = new Blob([new Uint8Array(2048)], { type: 'image/png' });
    expect((await images().update('a.jpg', big)).error).toMatchObject(TOO_LARGE);
  });
});
