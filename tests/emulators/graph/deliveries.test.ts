import { afterEach, describe, expect, it, vi } from 'vitest';
import { createGraphEmulator } from '../../../scripts/emulators/graph/emulator.ts';
import { verifySignature } from '../../../shared/whatsapp/signature.ts';
import { ManualClock } from '../../helpers/clock.ts';
import {
  ACCESS_TOKEN,
  PHONE_NUMBER_ID,
  statusesOf,
  useGraphEmulator,
} from '../../helpers/graph.ts';

const USER = '16505551234';
const template = {
  messaging_product: 'whatsapp',
  to: USER,
  type: 'template',
  template: { name: 'hello_world', language: { code: 'en_US' } },
};

describe('status webhooks', () => {
  const h = useGraphEmulator({ retryDelayMs: 50 });

  const sendTemplate = () =>
    h.call(`/${PHONE_NUMBER_ID}/messages`, { method: 'POST', body: JSON.stringify(template) });
  const count = (statuses: string[]) =>
    Object.fromEntries(
      ['sent', 'delivered', 'read'].map((s) => [s, statuses.filter((x) => x === s).length]),
    );

  it('retries a post the webhook refuses until it is taken', async () => {
    h.webhookAnswers.push(500, 503, 500, 500);
    await sendTemplate();
    await h.graph.flush();
    // First round: all three refused; second: sent refused again; third: sent taken.
    const statuses = statusesOf(h.webhooks);
    expect(statuses).toEqual(['sent', 'delivered', 'read', 'sent', 'delivered', 'read', 'sent']);
    expect(h.graph.pendingDeliveries).toBe(0);
  });

  it('gives up on a post after three attempts', async () => {
    h.webhookAnswers.push(...Array(12).fill(500));
    await sendTemplate();
    await h.graph.flush();
    expect(count(statusesOf(h.webhooks))).toEqual({ sent: 3, delivered: 3, read: 3 });
    expect(h.graph.pendingDeliveries).toBe(0);
  });
});

describe('the emulator on its own timers', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function emulator(posts: string[]) {
    return createGraphEmulator({
      webhookUrl: 'http://crm.test/webhook',
      appSecret: 'timers-secret',
      clock: new ManualClock(),
      delayMs: { sent: 10, delivered: 20, read: 30 },
      basePath: '/graph',
      fetch: async (_url, init) => {
        const body = String(init?.body);
        const headers = new Headers(init?.headers);
        if (!(await verifySignature('timers-secret', body, headers.get('x-hub-signature-256')))) {
          throw new Error('unsigned post');
        }
        posts.push(JSON.parse(body).entry[0].changes[0].value.statuses[0].status);
        return new Response(null, { status: 200 });
      },
    });
  }
  const sendTemplate = (graph: ReturnType<typeof emulator>) =>
    graph.fetch(
      new Request(`http://127.0.0.1/graph/v25.0/${PHONE_NUMBER_ID}/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ACCESS_TOKEN}` },
        body: JSON.stringify(template),
      }),
    );

  it('posts each status when its delay has passed', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const posts: string[] = [];
    const graph = emulator(posts);
    expect((await sendTemplate(graph)).status).toBe(200);
    expect(vi.getTimerCount()).toBe(3);
    await vi.advanceTimersByTimeAsync(10);
    await graph.idle();
    expect(posts).toEqual(['sent']);
    await vi.advanceTimersByTimeAsync(20);
    await graph.idle();
    expect(posts).toEqual(['sent', 'delivered', 'read']);
    expect(vi.getTimerCount()).toBe(0);
    await graph.stop();
  });

  it('stops without leaving a timer, and posts nothing after', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const posts: string[] = [];
    const graph = emulator(posts);
    await sendTemplate(graph);
    expect(graph.pendingDeliveries).toBe(3);
    await graph.stop();
    expect(vi.getTimerCount()).toBe(0);
    expect(graph.pendingDeliveries).toBe(0);
    await sendTemplate(graph);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(1000);
    await graph.idle();
    expect(posts).toEqual([]);
  });
});
