import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { mediaInfoSchema } from '../../../shared/whatsapp/graph-types.ts';
import { PHONE_NUMBER_ID, useGraphEmulator } from '../../helpers/graph.ts';

const h = useGraphEmulator();
const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);

function form(fields: Record<string, string | Blob>) {
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) data.set(k, v);
  return data;
}
const upload = (fields: Record<string, string | Blob>) =>
  h.call(`/${PHONE_NUMBER_ID}/media`, { method: 'POST', body: form(fields) });
const file = (bytes: Uint8Array, type: string) => new Blob([bytes.slice()], { type });

describe('media', () => {
  it('uploads, describes and serves the same bytes behind the bearer token', async () => {
    const res = await upload({
      messaging_product: 'whatsapp',
      type: 'image/png',
      file: file(PNG, 'image/png'),
    });
    expect(res.status).toBe(200);
    const { id } = (await res.json()) as { id: string };
    expect(id).toMatch(/^\d{15,}$/);

    const info = mediaInfoSchema.parse(await (await h.call(`/${id}`)).json());
    expect(info).toMatchObject({
      messaging_product: 'whatsapp',
      id,
      mime_type: 'image/png',
      file_size: PNG.byteLength,
      sha256: createHash('sha256').update(PNG).digest('hex'),
    });
    expect(info.url).toMatch(
      /^https:\/\/graph\.facebook\.com\/whatsapp_business\/attachments\/\?mid=/,
    );

    const download = await h.call(info.url);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('image/png');
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(PNG);
    const anonymous = await h.call(info.url, { token: null });
    expect(anonymous.status).toBe(401);
  });

  it('lets a download URL expire after five minutes, and refuses a forged one', async () => {
    const { id } = (await (
      await upload({ messaging_product: 'whatsapp', file: file(PNG, 'image/png') })
    ).json()) as { id: string };
    const { url } = mediaInfoSchema.parse(await (await h.call(`/${id}`)).json());
    const forged = new URL(url);
    forged.searchParams.set('ext', String(Number(forged.searchParams.get('ext')) + 3600));
    expect((await h.call(forged.toString())).status).toBe(404);
    h.clock.advance(5 * 60_000 + 1000);
    expect((await h.call(url)).status).toBe(404);
    const fresh = mediaInfoSchema.parse(await (await h.call(`/${id}`)).json());
    expect((await h.call(fresh.url)).status).toBe(200);
  });

  it('refuses unsupported, empty and oversized files, and a missing messaging_product', async () => {
    const refusals = [
      [{ messaging_product: 'whatsapp', file: file(PNG, 'image/gif') }, 131053],
      [{ messaging_product: 'whatsapp', file: file(new Uint8Array(), 'image/png') }, 131053],
      [
        { messaging_product: 'whatsapp', file: file(new Uint8Array(600 * 1024), 'image/webp') },
        131053,
      ],
      [{ file: file(PNG, 'image/png') }, 100],
      [{ messaging_product: 'whatsapp' }, 100],
    ] as const;
    for (const [fields, code] of refusals) {
      const res = await upload(fields);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: number } }).error.code).toBe(code);
    }
  });

  it('answers unknown and deleted media as Graph does', async () => {
    const { id } = (await (
      await upload({ messaging_product: 'whatsapp', file: file(PNG, 'image/png') })
    ).json()) as { id: string };
    expect((await h.call(`/${id}?phone_number_id=1`)).status).toBe(400);
    expect(await (await h.call(`/${id}`, { method: 'DELETE' })).json()).toEqual({ success: true });
    const gone = await h.call(`/${id}`);
    expect(gone.status).toBe(400);
    expect(await gone.json()).toMatchObject({
      error: { code: 100, error_subcode: 33, type: 'GraphMethodException' },
    });
  });

  it('sends uploaded media by id', async () => {
    h.graph.openWindow(PHONE_NUMBER_ID, '16505551234');
    const { id } = (await (
      await upload({ messaging_product: 'whatsapp', file: file(PNG, 'image/png') })
    ).json()) as { id: string };
    const res = await h.call(`/${PHONE_NUMBER_ID}/messages`, {
      method: 'POST',
      body: JSON.stringify({
        messaging_product: 'whatsapp',
        to: '16505551234',
        type: 'image',
        image: { id, caption: 'Your invoice' },
      }),
    });
    expect(res.status).toBe(200);
  });
});
