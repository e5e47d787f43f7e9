import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../../../shared/whatsapp/graph-types.ts';
import type { StatusItem } from '../../../shared/whatsapp/webhook.ts';
import {
  GraphApiError,
  GraphTransportError,
  graphErrorFromStatus,
} from '../../../worker/whatsapp/errors.ts';
import { GRAPH, PHONE_NUMBER_ID, statusesOf, useGraphEmulator } from '../../helpers/graph.ts';
import { server } from '../../helpers/msw.ts';
import { channel, clientFor } from './harness.ts';

const USER = '16505551234';
const h = useGraphEmulator();
const text: OutboundMessage = {
  to: `+${USER}`,
  type: 'text',
  text: { body: 'Your order shipped' },
};
const template: OutboundMessage = {
  to: USER,
  type: 'template',
  template: {
    name: 'order_update',
    language: { code: 'en_US' },
    components: [{ type: 'body', parameters: [{ type: 'text', text: 'A-1001' }] }],
  },
};

describe('GraphClient.sendMessage', () => {
  it('sends and resolves with the wamid, reporting the one attempt', async () => {
    h.graph.openWindow(PHONE_NUMBER_ID, USER);
    const { client, attempts } = clientFor(h);
    const sent = await client.sendMessage(channel, text);
    expect(sent).toEqual({
      id: expect.stringMatching(/^wamid\./),
      waId: USER,
      messageStatus: null,
    });
    expect(h.graph.sent[0]?.body).toMatchObject({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: `+${USER}`,
      text: { body: 'Your order shipped' },
    });
    expect(attempts).toEqual([
      {
        operation: 'send_message',
        attempt: 1,
        status: 200,
        errorCode: null,
        durationMs: 0,
        retryInMs: null,
      },
    ]);
  });

  it('retries the throughput limit with growing, jittered pauses, reporting every attempt', async () => {
    h.graph.fail({ code: 130429, times: 2 });
    const { client, attempts, pauses } = clientFor(h);
    const sent = await client.sendMessage(channel, template);
    expect(sent.messageStatus).toBe('accepted');
    expect(attempts.map((a) => [a.attempt, a.status, a.errorCode, a.retryInMs])).toEqual([
      [1, 429, 130429, 750],
      [2, 429, 130429, 1500],
      [3, 200, null, null],
    ]);
    expect(pauses).toEqual([750, 1500]);
    expect(attempts[0]?.error).toMatch(/Rate limit hit/);
  });

  it("retries Meta's throttling codes whatever the HTTP status, and 5xx", async () => {
    h.graph.fail({ code: 80007, status: 400 });
    h.graph.fail({ code: 131000, status: 500 });
    h.graph.fail({ code: 2, status: 503 });
    const { client, attempts } = clientFor(h, { maxAttempts: 5, baseDelayMs: 10, maxDelayMs: 100 });
    await client.sendMessage(channel, template);
    expect(attempts.map((a) => [a.status, a.errorCode])).toEqual([
      [400, 80007],
      [500, 131000],
      [503, 2],
      [200, null],
    ]);
  });

  it('retries network errors and answers without a Graph body', async () => {
    let calls = 0;
    server.use(
      http.post(`${GRAPH}/${PHONE_NUMBER_ID}/messages`, () => {
        calls++;
        if (calls === 1) return HttpResponse.error();
        if (calls === 2) return new HttpResponse('<html>Bad gateway</html>', { status: 502 });
        return undefined; // falls through to the emulator
      }),
    );
    const { client, attempts } = clientFor(h);
    await client.sendMessage(channel, template);
    expect(attempts.map((a) => [a.status, a.errorCode, a.retryInMs !== null])).toEqual([
      [null, null, true],
      [502, null, true],
      [200, null, false],
    ]);
  });

  it("does not retry other client errors, and types them with Meta's code", async () => {
    const { client, attempts } = clientFor(h);
    const error = await client
      .sendMessage(channel, { to: USER, type: 'text', text: { body: '' } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphApiError);
    expect(error).toMatchObject({
      code: 100,
      httpStatus: 400,
      retryable: false,
      attempts: 1,
      details: expect.stringContaining("text['body']"),
      fbtraceId: expect.any(String),
    });
    expect(attempts).toHaveLength(1);
  });

  it('answers a bad access token with error 190, at once', async () => {
    const { client, attempts } = clientFor(h);
    const error = await client
      .sendMessage({ ...channel, accessToken: 'EAAexpired' }, template)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'GraphApiError',
      code: 190,
      httpStatus: 401,
      retryable: false,
    });
    expect((error as Error).message).not.toContain('EAAexpired');
    expect(attempts).toHaveLength(1);
  });

  it('gives up after the last attempt with the last error', async () => {
    h.graph.fail({ code: 130429, times: 10 });
    const { client, attempts, pauses } = clientFor(h);
    const error = await client.sendMessage(channel, template).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 130429, attempts: 4 });
    expect(pauses).toEqual([750, 1500, 3000]);
    expect(attempts.at(-1)?.retryInMs).toBeNull();
  });

  it('stops when its signal aborts, during a pause or before the first attempt', async () => {
    h.graph.fail({ code: 130429, times: 3 });
    const { client, attempts } = clientFor(h);
    const controller = new AbortController();
    const aborted = client.sendMessage(channel, template, {
      signal: controller.signal,
      onAttempt: () => controller.abort(),
    });
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
    expect(attempts).toHaveLength(1);
    await expect(
      client.sendMessage(channel, template, { signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(attempts).toHaveLength(1);
    expect(h.graph.sent).toHaveLength(0);
  });

  it('sees free text outside the 24-hour window accepted, then refused by webhook with 131047', async () => {
    const { client } = clientFor(h);
    const sent = await client.sendMessage(channel, text);
    await h.graph.flush();
    const [failed] = h.webhooks.flatMap((w) => w.items) as StatusItem[];
    expect(failed).toMatchObject({ kind: 'status', messageId: sent.id, status: 'failed' });
    const error = graphErrorFromStatus(failed!.payload);
    expect(error).toBeInstanceOf(GraphApiError);
    expect(error).toMatchObject({ code: 131047, httpStatus: null, retryable: false });
    expect(error?.isReEngagement).toBe(true);

    const retried = await client.sendMessage(channel, template);
    await h.graph.flush();
    expect(statusesOf(h.webhooks, retried.id)).toEqual(['sent', 'delivered', 'read']);
    const read = h.webhooks.at(-1)!.items[0] as StatusItem;
    expect(read.status).toBe('read');
    expect(graphErrorFromStatus(read.payload)).toBeNull();
  });

  it('fails a 2xx it cannot read without retrying, since Meta may have sent the message', async () => {
    server.use(
      http.post(`${GRAPH}/${PHONE_NUMBER_ID}/messages`, () => HttpResponse.json({ ok: 1 })),
    );
    const { client, attempts } = clientFor(h);
    const error = await client.sendMessage(channel, template).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphTransportError);
    expect(error).toMatchObject({ retryable: false, httpStatus: 200 });
    expect(attempts).toHaveLength(1);
  });
});
