import { HttpResponse, http } from 'msw';
import { afterEach, beforeEach } from 'vitest';
import {
  createGraphEmulator,
  type GraphEmulator,
  type GraphEmulatorOptions,
} from '../../scripts/emulators/graph/emulator.ts';
import { graphHandlers } from '../../scripts/emulators/graph/msw.ts';
import { DEFAULT_GRAPH_API_VERSION } from '../../shared/whatsapp/graph-types.ts';
import { SIGNATURE_HEADER, verifySignature } from '../../shared/whatsapp/signature.ts';
import {
  flattenDelivery,
  type IntakeItem,
  parseDelivery,
  type WebhookDelivery,
} from '../../shared/whatsapp/webhook.ts';
import { ManualClock } from './clock.ts';
import { server } from './msw.ts';

export const GRAPH_URL = 'https://graph.facebook.com';
export const GRAPH = `${GRAPH_URL}/${DEFAULT_GRAPH_API_VERSION}`;
export const WEBHOOK_URL = 'http://crm.test/functions/v1/whatsapp/webhook';
export const APP_SECRET = 'graph-emulator-test-secret';
export const ACCESS_TOKEN = 'EAAtest-access-token';
export const PHONE_NUMBER_ID = '106540352242922';

/** One post the emulator made to the webhook. */
export interface ReceivedWebhook {
  raw: string;
  signatureValid: boolean;
  delivery: WebhookDelivery;
  items: IntakeItem[];
}

export interface GraphHarness {
  readonly graph: GraphEmulator;
  readonly clock: ManualClock;
  /** Every post to WEBHOOK_URL so far, in arrival order. */
  readonly webhooks: ReceivedWebhook[];
  /** The webhook answers these statuses to the next posts, then 200. */
  webhookAnswers: number[];
  /** A Graph API call with the test token (or `token`), through msw. */
  call(path: string, init?: RequestInit & { token?: string | null }): Promise<Response>;
}

/**
 * The Graph API emulator behind msw at graph.facebook.com for each test, with a manual
 * clock, and a webhook at WEBHOOK_URL that checks each post's signature and parses it.
 */
export function useGraphEmulator(options: Partial<GraphEmulatorOptions> = {}): GraphHarness {
  let graph: GraphEmulator | undefined;
  let clock = new ManualClock();
  const harness = {
    webhooks: [] as ReceivedWebhook[],
    webhookAnswers: [] as number[],
    get graph() {
      if (!graph) throw new Error('the emulator exists only inside tests');
      return graph;
    },
    get clock() {
      return clock;
    },
    call(path: string, init: RequestInit & { token?: string | null } = {}) {
      const { token = ACCESS_TOKEN, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (token) headers.set('authorization', `Bearer ${token}`);
      return fetch(path.startsWith('http') ? path : `${GRAPH}${path}`, { ...rest, headers });
    },
  };

  beforeEach(() => {
    clock = new ManualClock();
    harness.webhooks.length = 0;
    harness.webhookAnswers.length = 0;
    graph = createGraphEmulator({
      webhookUrl: WEBHOOK_URL,
      appSecret: APP_SECRET,
      clock,
      accessTokens: [ACCESS_TOKEN],
      ...options,
    });
    server.use(
      ...graphHandlers(graph, GRAPH_URL),
      http.post(WEBHOOK_URL, async ({ request }) => {
        const raw = await request.text();
        const signatureValid = await verifySignature(
          APP_SECRET,
          raw,
          request.headers.get(SIGNATURE_HEADER),
        );
        const parsed = parseDelivery(JSON.parse(raw));
        if (!parsed.success) throw new Error(`the emulator posted an invalid delivery: ${raw}`);
        harness.webhooks.push({
          raw,
          signatureValid,
          delivery: parsed.data,
          items: flattenDelivery(parsed.data),
        });
        return new HttpResponse(null, { status: harness.webhookAnswers.shift() ?? 200 });
      }),
    );
  });
  afterEach(async () => {
    await graph?.stop();
  });

  return harness as GraphHarness;
}

/** The status items the webhook received, as `<status>` strings in arrival order. */
export function statusesOf(webhooks: ReceivedWebhook[], messageId?: string): string[] {
  return webhooks
    .flatMap((w) => w.items)
    .filter((i) => i.kind === 'status' && (!messageId || i.messageId === messageId))
    .map((i) => (i.kind === 'status' ? i.status : ''));
}
