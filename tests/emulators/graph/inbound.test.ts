import { describe, expect, it } from 'vitest';
import { mediaInfoSchema } from '../../../shared/whatsapp/graph-types.ts';
import { isKnownMessage, type MessageItem } from '../../../shared/whatsapp/webhook.ts';
import { GRAPH_URL, PHONE_NUMBER_ID, statusesOf, useGraphEmulator } from '../../helpers/graph.ts';

const h = useGraphEmulator({ phoneNumbers: { [PHONE_NUMBER_ID]: '15550001111' } });
const inbound = (body: Record<string, unknown>) =>
  h.call(`${GRAPH_URL}/_emulator/inbound`, {
    method: 'POST',
    token: null,
    body: JSON.stringify({ phone_number_id: PHONE_NUMBER_ID, from: '+1 650 555 1234', ...body }),
  });

describe('POST /_emulator/inbound', () => {
  it('posts a signed message delivery to the webhook, as a WhatsApp user would cause', async () => {
    const res = await inbound({ name: 'Sheena', text: 'Hello, is my order ready?' });
    expect(res.status).toBe(200);
    const { messages, webhook_status } = (await res.json()) as {
      messages: Array<{ id: string }>;
      webhook_status: number;
    };
    expect(webhook_status).toBe(200);
    expect(h.webhooks).toHaveLength(1);
    expect(h.webhooks[0]?.signatureValid).toBe(true);
    const [item] = h.webhooks[0]!.items as MessageItem[];
    expect(item).toMatchObject({
      kind: 'message',
      key: `message:${messages[0]!.id}`,
      phoneNumberId: PHONE_NUMBER_ID,
      displayPhoneNumber: '15550001111',
      from: '16505551234',
      type: 'text',
      sentAt: Math.floor(h.clock.now() / 1000) * 1000,
      contact: { wa_id: '16505551234', profile: { name: 'Sheena' } },
      message: { text: { body: 'Hello, is my order ready?' } },
    });
  });

  it('opens the 24-hour window for replies', async () => {
    await inbound({ text: 'Hi' });
    const reply = await h.call(`/${PHONE_NUMBER_ID}/messages`, {
      method: 'POST',
      body: JSON.stringify({
        messaging_product: 'whatsapp',
        to: '16505551234',
        text: { body: 'Yes!' },
      }),
    });
    const id = ((await reply.json()) as { messages: Array<{ id: string }> }).messages[0]!.id;
    await h.graph.flush();
    expect(statusesOf(h.webhooks, id)).toEqual(['sent', 'delivered', 'read']);
  });

  it('stores media sent by the user, which the Graph API then serves', async () => {
    const res = await inbound({ type: 'image', image: { caption: 'The damage' } });
    expect(res.status).toBe(200);
    const [item] = h.webhooks[0]!.items as MessageItem[];
    const message = item!.message;
    if (!isKnownMessage(message) || message.type !== 'image') throw new Error('not an image');
    expect(message.image).toMatchObject({ caption: 'The damage', mime_type: 'image/png' });
    const info = mediaInfoSchema.parse(await (await h.call(`/${message.image.id}`)).json());
    expect(info.sha256).toBe(message.image.sha256);
    expect((await h.call(info.url)).status).toBe(200);

    const data = Buffer.from('%PDF-1.4 a quote').toString('base64');
    await inbound({
      type: 'document',
      document: { data, mime_type: 'application/pdf', filename: 'quote.pdf' },
    });
    const doc = (h.webhooks[1]!.items[0] as MessageItem).message;
    expect(doc).toMatchObject({ type: 'document', document: { filename: 'quote.pdf' } });
  });

  it('passes other types through, checked against the webhook schema', async () => {
    const cases = [
      { type: 'reaction', reaction: { message_id: 'wamid.OURS', emoji: '❤️' } },
      { type: 'location', location: { latitude: 48.85, longitude: 2.35, name: 'Paris' } },
      {
        type: 'interactive',
        interactive: { type: 'list_reply', list_reply: { id: 'express', title: 'Express' } },
      },
    ];
    for (const body of cases) expect((await inbound(body)).status).toBe(200);
    expect(h.webhooks.map((w) => (w.items[0] as MessageItem).type)).toEqual([
      'reaction',
      'location',
      'interactive',
    ]);
  });

  it('replays a message with the same wamid when asked, as Meta retries do', async () => {
    await inbound({ id: 'wamid.REPLAYED', text: 'once' });
    await inbound({ id: 'wamid.REPLAYED', text: 'once' });
    expect(h.webhooks.map((w) => w.items[0]?.key)).toEqual([
      'message:wamid.REPLAYED',
      'message:wamid.REPLAYED',
    ]);
  });

  it('refuses input that would not make a message, naming the problem', async () => {
    for (const body of [
      { from: 'nobody', text: 'hi' },
      { type: 'reaction', reaction: { emoji: '👍' } },
      { type: 'image', image: { id: '123' } },
      { type: 'text' },
    ]) {
      const res = await inbound(body);
      expect(res.status).toBe(400);
      const { error } = (await res.json()) as {
        error: { code: number; error_data: { details: string } };
      };
      expect(error.code).toBe(100);
      expect(error.error_data.details.length).toBeGreaterThan(0);
    }
    expect(h.webhooks).toHaveLength(0);
  });

  it('answers 502 with the status when the webhook refuses the delivery', async () => {
    h.webhookAnswers.push(401);
    const res = await inbound({ text: 'hi' });
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ webhook_status: 401 });
  });
});
