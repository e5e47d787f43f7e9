import { createHash } from 'node:crypto';
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { isKnownMessage } from '../../../shared/whatsapp/webhook.ts';
import { GRAPH_URL, PHONE_NUMBER_ID, useGraphEmulator } from '../../helpers/graph.ts';
import { server } from '../../helpers/msw.ts';
import { channel, clientFor } from './harness.ts';

const h = useGraphEmulator();
const PDF = new TextEncoder().encode('%PDF-1.4 the signed quote');

describe('GraphClient media', () => {
  it('uploads, finds and downloads the same bytes', async () => {
    const { client, attempts } = clientFor(h);
    const { id } = await client.uploadMedia(channel, {
      data: PDF,
      mimeType: 'application/pdf',
      filename: 'quote.pdf',
    });
    const info = await client.getMediaUrl(channel, id);
    expect(info).toMatchObject({
      id,
      mime_type: 'application/pdf',
      file_size: PDF.byteLength,
      sha256: createHash('sha256').update(PDF).digest('hex'),
    });
    const media = await client.downloadMedia(channel, id);
    expect(media.bytes).toEqual(PDF);
    expect(media).toMatchObject({ mimeType: 'application/pdf', fileSize: PDF.byteLength });
    expect(attempts.map((a) => a.operation)).toEqual([
      'upload_media',
      'get_media',
      'get_media',
      'download_media',
    ]);
  });

  it('downloads what a user sent, by the media id in the webhook', async () => {
    const { client } = clientFor(h);
    await h.graph.inbound({ phone_number_id: PHONE_NUMBER_ID, from: '16505551234', type: 'image' });
    const item = h.webhooks[0]?.items[0];
    const message = item?.kind === 'message' ? item.message : undefined;
    if (!message || !isKnownMessage(message) || message.type !== 'image')
      throw new Error('no image');
    const mediaId = message.image.id;
    const media = await client.downloadMedia(channel, mediaId);
    expect(media.mimeType).toBe('image/png');
    expect(media.bytes.byteLength).toBe(media.fileSize);
  });

  it('retries a download whose bytes do not match the stated sha256, then gives up', async () => {
    const { client, attempts } = clientFor(h, { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 10 });
    const { id } = await client.uploadMedia(channel, { data: PDF, mimeType: 'application/pdf' });
    server.use(
      http.get(`${GRAPH_URL}/whatsapp_business/attachments/`, () =>
        HttpResponse.arrayBuffer(new TextEncoder().encode('tampered').buffer),
      ),
    );
    const error = await client.downloadMedia(channel, id).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'GraphTransportError', attempts: 2 });
    expect(attempts.filter((a) => a.operation === 'download_media')).toHaveLength(2);
  });

  it('refuses an unknown media id with the Graph error', async () => {
    const { client } = clientFor(h);
    const error = await client.getMediaUrl(channel, '123456789012345').catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'GraphApiError',
      code: 100,
      subcode: 33,
      retryable: false,
    });
  });

  it('refuses an unsupported upload with 131053', async () => {
    const { client } = clientFor(h);
    const error = await client
      .uploadMedia(channel, { data: PDF, mimeType: 'application/x-msdownload' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'GraphApiError', code: 131053, attempts: 1 });
  });
});
