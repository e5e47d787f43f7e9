import { describe, expect, it } from 'vitest';
import { sendMessageResponseSchema } from '../../../shared/whatsapp/graph-types.ts';
import type { StatusItem } from '../../../shared/whatsapp/webhook.ts';
import { GRAPH_URL, PHONE_NUMBER_ID, statusesOf, useGraphEmulator } from '../../helpers/graph.ts';

const USER = '16505551234';
const h = useGraphEmulator();

const send = (body: Record<string, unknown>, token?: string | null) =>
  h.call(`/${PHONE_NUMBER_ID}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ messaging_product: 'whatsapp', to: `+${USER}`, ...body }),
    token,
  });
const text = { type: 'text', text: { body: 'Thanks, on its way' } };
const template = {
  type: 'template',
  template: {
    name: 'order_update',
    language: { code: 'en_US' },
    components: [{ type: 'body', parameters: [{ type: 'text', text: 'A-1001' }] }],
  },
};

describe('POST /{phone_number_id}/messages', () => {
  it('answers the wamid at once and posts signed sent, delivered and read statuses later', async () => {
    h.graph.openWindow(PHONE_NUMBER_ID, USER);
    const res = await send(text);
    expect(res.status).toBe(200);
    const body = sendMessageResponseSchema.parse(await res.json());
    expect(body.contacts).toEqual([{ input: `+${USER}`, wa_id: USER }]);
    const id = body.messages[0]!.id;
    expect(id).toMatch(/^wamid\.[A-Za-z0-9+/=]+$/);
    expect(h.webhooks).toHaveLength(0);
    expect(h.graph.pendingDeliveries).toBe(3);

    await h.graph.flush();
    expect(h.webhooks.every((w) => w.signatureValid)).toBe(true);
    expect(statusesOf(h.webhooks, id)).toEqual(['sent', 'delivered', 'read']);
    const sent = h.webhooks[0]!.items[0] as StatusItem;
    expect(sent).toMatchObject({ phoneNumberId: PHONE_NUMBER_ID, recipientId: USER, errors: [] });
    expect(sent.at).toBe(Math.floor((h.clock.now() + 100) / 1000) * 1000);
    expect(h.graph.sent).toMatchObject([{ id, to: USER, type: 'text', outsideWindow: false }]);
  });

  it('accepts free text outside the 24-hour window, then fails it with 131047, as Meta does', async () => {
    h.graph.openWindow(PHONE_NUMBER_ID, USER);
    h.clock.advance(24 * 3600_000 + 1000);
    const res = await send(text);
    expect(res.status).toBe(200);
    const id = ((await res.json()) as { messages: Array<{ id: string }> }).messages[0]!.id;
    await h.graph.flush();
    expect(statusesOf(h.webhooks, id)).toEqual(['failed']);
    const failed = h.webhooks[0]!.items[0] as StatusItem;
    expect(failed.errors).toEqual([
      expect.objectContaining({
        code: 131047,
        title: 'Re-engagement message',
        error_data: { details: expect.stringContaining('more than 24 hours') },
      }),
    ]);
  });

  it('treats a number that never wrote as outside the window, and always allows templates', async () => {
    const refused = await send(text);
    const accepted = await send(template);
    const ids = await Promise.all(
      [refused, accepted].map(
        async (r) =>
          ((await r.json()) as { messages: Array<{ id: string; message_status?: string }> })
            .messages[0]!,
      ),
    );
    expect(ids[1]?.message_status).toBe('accepted');
    await h.graph.flush();
    expect(statusesOf(h.webhooks, ids[0]!.id)).toEqual(['failed']);
    expect(statusesOf(h.webhooks, ids[1]!.id)).toEqual(['sent', 'delivered', 'read']);
  });

  it('answers a bad or missing token with the Graph OAuth errors', async () => {
    const bad = await send(text, 'EAAwrong');
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({
      error: {
        message: expect.stringContaining('Invalid OAuth access token'),
        type: 'OAuthException',
        code: 190,
        fbtrace_id: expect.stringMatching(/^[\w-]{8,}$/),
      },
    });
    const missing = await send(text, null);
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { error: { code: number } }).error.code).toBe(104);
    expect(h.graph.sent).toHaveLength(0);
  });

  it('refuses malformed messages with (#100) and the field in the details', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ type: 'text', text: {} }, /text\['body'\]/],
      [{ type: 'image' }, /image/],
      [{ type: 'image', image: { id: '999999' } }, /no media with id 999999/],
      [{ type: 'text', text: { body: 'x' }, messaging_product: 'sms' }, /messaging_product/],
      [{ type: 'text', text: { body: 'x' }, to: 'alice' }, /to/],
      [
        {
          type: 'interactive',
          interactive: {
            type: 'button',
            body: { text: 'Pick one' },
            action: {
              buttons: [1, 2, 3, 4].map((n) => ({
                type: 'reply',
                reply: { id: `b${n}`, title: `B${n}` },
              })),
            },
          },
        },
        /interactive\['action'\]\['buttons'\]/,
      ],
    ];
    for (const [body, details] of cases) {
      const res = await send(body);
      expect(res.status).toBe(400);
      const { error } = (await res.json()) as {
        error: { code: number; message: string; error_data: { details: string } };
      };
      expect(error.code).toBe(100);
      expect(error.message).toBe('(#100) Invalid parameter');
      expect(error.error_data.details).toMatch(details);
    }
    const notJson = await h.call(`/${PHONE_NUMBER_ID}/messages`, { method: 'POST', body: '{' });
    expect(notJson.status).toBe(400);
    expect(h.graph.sent).toHaveLength(0);
  });

  it('sends interactive lists and buttons, reactions and locations in the window', async () => {
    h.graph.openWindow(PHONE_NUMBER_ID, USER);
    const bodies = [
      {
        type: 'interactive',
        interactive: {
          type: 'list',
          body: { text: 'Choose a delivery' },
          action: {
            button: 'Options',
            sections: [{ title: 'Speed', rows: [{ id: 'express', title: 'Express' }] }],
          },
        },
      },
      { type: 'reaction', reaction: { message_id: 'wamid.X', emoji: '👍' } },
      { type: 'location', location: { latitude: 52.52, longitude: 13.405, name: 'Office' } },
    ];
    for (const body of bodies) expect((await send(body)).status).toBe(200);
    expect(h.graph.sent.map((m) => m.type)).toEqual(['interactive', 'reaction', 'location']);
  });

  it('marks an inbound message read', async () => {
    const res = await h.call(`/${PHONE_NUMBER_ID}/messages`, {
      method: 'POST',
      body: JSON.stringify({
        messaging_product: 'whatsapp',
        status: 'read',
        message_id: 'wamid.IN',
      }),
    });
    expect(await res.json()).toEqual({ success: true });
  });

  it('fails the next calls on demand, e.g. with the throughput limit 130429', async () => {
    h.graph.fail({ code: 130429, times: 2 });
    const answers = [await send(template), await send(template), await send(template)];
    expect(answers.map((r) => r.status)).toEqual([429, 429, 200]);
    const { error } = (await answers[0]!.json()) as { error: Record<string, unknown> };
    expect(error).toMatchObject({
      message: '(#130429) Rate limit hit',
      type: 'OAuthException',
      code: 130429,
      error_data: { messaging_product: 'whatsapp', details: expect.any(String) },
    });
    const armed = await h.call(`${GRAPH_URL}/_emulator/faults`, {
      method: 'POST',
      body: JSON.stringify({ code: 80007, status: 400 }),
    });
    expect(armed.status).toBe(200);
    for (const bad of [{}, { code: 'x' }, { code: 130429, status: 99 }, { code: 1, times: 0 }]) {
      const refused = await h.call(`${GRAPH_URL}/_emulator/faults`, {
        method: 'POST',
        body: JSON.stringify(bad),
      });
      expect(refused.status).toBe(400);
    }
    const limited = await send(template);
    expect(limited.status).toBe(400);
    expect(((await limited.json()) as { error: { code: number } }).error.code).toBe(80007);
  });

  it('answers unknown paths with a Graph error, not a crash', async () => {
    const res = await h.call(`/${PHONE_NUMBER_ID}/nonsense`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: number } }).error.code).toBe(2500);
  });
});
