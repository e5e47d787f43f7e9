import { Hono } from 'hono';
import { z } from 'zod';
import type { Clock } from '../../../shared/clock.ts';
import { GraphErrorCode } from '../../../shared/whatsapp/graph-types.ts';
import type { ArmedFault, GraphEnv, GraphState, SentMessage, StatusDelays } from './context.ts';
import { windowKey } from './context.ts';
import { graphError } from './errors.ts';
import {
  deliverInbound,
  type InboundInput,
  type InboundResult,
  registerInbound,
} from './inbound.ts';
import { MediaStore } from './media.ts';
import { registerMedia } from './media-routes.ts';
import { registerMessages } from './messages.ts';
import { type DeliveryRecord, Outbox } from './outbox.ts';
import { waIdOf } from './payloads.ts';

export interface GraphEmulatorOptions {
  /** Where Meta would post webhooks: the `whatsapp` function's `/webhook`. */
  webhookUrl: string;
  /** The app secret webhooks are signed with (`X-Hub-Signature-256`). */
  appSecret: string;
  /** Decides the 24-hour window, timestamps and media URL expiry. */
  clock: Clock;
  /** Bearer tokens accepted; any non-empty token when absent. */
  accessTokens?: string[];
  /** When statuses follow a send: one number spaces them evenly (sent, then 2×, then 3×). */
  delayMs?: number | Partial<StatusDelays>;
  /** Whether recipients "read" what they get (a `read` status). Default true. */
  readReceipts?: boolean;
  /** Path the emulator is mounted under in `fetch` (e.g. `/graph`). Default: the root. */
  basePath?: string;
  /** The WhatsApp Business Account id in deliveries. */
  wabaId?: string;
  /** Display numbers by phone_number_id; others get a 555 test number. */
  phoneNumbers?: Record<string, string>;
  /** Attempts per webhook post, and the pause between them. Default 3 and 1 s. */
  maxDeliveryAttempts?: number;
  retryDelayMs?: number;
  /** How webhooks are posted. Default: the global fetch (so msw sees them in tests). */
  fetch?: typeof fetch;
  onDelivery?: (record: DeliveryRecord) => void;
}

export interface GraphEmulator {
  /** Serves the Graph API under `basePath`. */
  fetch(request: Request): Promise<Response>;
  /** Serves a request whose Graph paths start after `basePath` (used by msw handlers). */
  handle(request: Request, basePath: string): Promise<Response>;
  /** A message from a WhatsApp user, posted to the webhook now (`POST /_emulator/inbound`). */
  inbound(input: InboundInput): Promise<InboundResult>;
  /** Opens the 24-hour window as if `waId` had written to the number at `at` (default now). */
  openWindow(phoneNumberId: string, waId: string, at?: number): void;
  /** The next matching Graph requests fail with this error (rate limits, outages…). */
  fail(fault: ArmedFault): void;
  /** Posts every pending status webhook now, in order, and waits for them. */
  flush(): Promise<void>;
  /** Waits for webhook posts in flight; those waiting for their time stay scheduled. */
  idle(): Promise<void>;
  /** Cancels pending webhooks and waits for those in flight; nothing is posted after. */
  stop(): Promise<void>;
  /** Messages accepted so far, oldest first. */
  readonly sent: readonly SentMessage[];
  /** Status webhooks still waiting for their time. */
  readonly pendingDeliveries: number;
}

const DEFAULT_DELAYS: StatusDelays = { sent: 100, delivered: 300, read: 1500 };

/**
 * An emulator of Meta's Graph API for WhatsApp Cloud API messaging, with Meta's paths,
 * shapes and errors, that posts signed webhooks like Meta: statuses after sends, and
 * messages from simulated users. The local stack serves it at `/graph`; tests reach it
 * through msw with `graphHandlers`, so both run one implementation.
 *
 * @example
 * const graph = createGraphEmulator({ webhookUrl, appSecret, clock: systemClock });
 * await graph.inbound({ phone_number_id: '1234', from: '+15551234567', text: 'Hello' });
 */
export function createGraphEmulator(opts: GraphEmulatorOptions): GraphEmulator {
  const delays =
    typeof opts.delayMs === 'number'
      ? { sent: opts.delayMs, delivered: 2 * opts.delayMs, read: 3 * opts.delayMs }
      : { ...DEFAULT_DELAYS, ...opts.delayMs };
  const outbox = new Outbox({
    webhookUrl: opts.webhookUrl,
    appSecret: opts.appSecret,
    maxAttempts: opts.maxDeliveryAttempts ?? 3,
    retryDelayMs: opts.retryDelayMs ?? 1000,
    fetch: opts.fetch ?? ((input, init) => fetch(input, init)),
    onDelivery: opts.onDelivery,
  });
  const state: GraphState = {
    clock: opts.clock,
    outbox,
    media: new MediaStore(opts.clock),
    delays,
    readReceipts: opts.readReceipts ?? true,
    accessTokens: opts.accessTokens ? new Set(opts.accessTokens) : undefined,
    lastInbound: new Map(),
    sent: [],
    faults: [],
    number: (phoneNumberId) => ({
      wabaId: opts.wabaId ?? '102290129340398',
      phoneNumberId,
      displayPhoneNumber: opts.phoneNumbers?.[phoneNumberId] ?? '15550783881',
    }),
  };
  const app = buildApp(state);
  const basePath = (opts.basePath ?? '').replace(/\/+$/, '');

  const handle = async (request: Request, base: string) => {
    const url = new URL(request.url);
    const root = base.replace(/\/+$/, '');
    if (!url.pathname.startsWith(`${root}/`)) return graphError(unknownPath(url.pathname));
    url.pathname = url.pathname.slice(root.length);
    const bodyless = request.method === 'GET' || request.method === 'HEAD';
    const inner = new Request(url, {
      method: request.method,
      headers: request.headers,
      body: bodyless ? undefined : await request.arrayBuffer(),
      signal: request.signal,
    });
    return app.fetch(inner, { base: `${url.origin}${root}` });
  };

  return {
    fetch: (request) => handle(request, basePath),
    handle,
    inbound: (input) => deliverInbound(state, input),
    openWindow(phoneNumberId, waId, at = opts.clock.now()) {
      state.lastInbound.set(windowKey(phoneNumberId, waIdOf(waId)), at);
    },
    fail(fault) {
      state.faults.push({ route: 'messages', times: 1, ...fault });
    },
    flush: () => outbox.flush(),
    idle: () => outbox.idle(),
    stop: () => outbox.stop(),
    get sent() {
      return state.sent;
    },
    get pendingDeliveries() {
      return outbox.size;
    },
  };
}

/** A fault armed over HTTP: `{ code, status?, times?, route?, title?, details? }`. */
const faultSchema = z.object({
  code: z.number().int().positive(),
  status: z.number().int().min(400).max(599).optional(),
  times: z.number().int().min(1).max(10_000).optional(),
  route: z.enum(['messages', 'media', 'any']).optional(),
  title: z.string().max(200).optional(),
  details: z.string().max(1000).optional(),
});

const unknownPath = (path: string) => ({
  code: 2500,
  type: 'OAuthException',
  title: `Unknown path components: ${path}`,
});

function buildApp(state: GraphState) {
  const app = new Hono<GraphEnv>();
  registerInbound(app, state);
  app.post('/_emulator/faults', async (c) => {
    const fault = faultSchema.safeParse(await c.req.json().catch(() => undefined));
    if (!fault.success) {
      const details = `Param ${fault.error.issues[0]?.path.join('.') || 'body'}: is invalid`;
      return graphError({ code: GraphErrorCode.InvalidParameter, details });
    }
    state.faults.push({ route: 'messages', times: 1, ...fault.data });
    return c.json({ success: true });
  });
  app.get('/_emulator/messages', (c) => c.json({ data: state.sent }));

  // Every Graph call needs a bearer token (or `access_token`), checked before anything else.
  app.use('*', async (c, next) => {
    if (c.req.path.startsWith('/_emulator/')) return next();
    const header = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    const token = header ?? c.req.query('access_token');
    if (!token) return graphError({ code: GraphErrorCode.AccessTokenRequired });
    if (state.accessTokens && !state.accessTokens.has(token)) {
      return graphError({ code: GraphErrorCode.AccessTokenExpired });
    }
    const fault = takeFault(state, c.req.path);
    return fault ? graphError(fault) : next();
  });
  registerMessages(app, state);
  registerMedia(app, state);
  app.notFound((c) => graphError(unknownPath(c.req.path)));
  app.onError((err) => {
    console.error('graph emulator:', err);
    return graphError({ code: GraphErrorCode.Unknown, status: 500 });
  });
  return app;
}

function takeFault(state: GraphState, path: string) {
  const route = /\/messages$/.test(path) ? 'messages' : 'media';
  const index = state.faults.findIndex((f) => f.route === 'any' || f.route === route);
  const fault = state.faults[index];
  if (!fault) return undefined;
  fault.times = (fault.times ?? 1) - 1;
  if (fault.times <= 0) state.faults.splice(index, 1);
  return fault;
}
