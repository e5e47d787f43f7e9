import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../../errors.ts';
import type { App } from '../../../http/context.ts';
import { withService } from '../../../http/doors.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { storeDelivery } from '../../../whatsapp/intake.ts';
import { SIGNATURE_HEADER, verifySignature } from '../../../whatsapp/signature.ts';
import type { UnsignedLimiter } from '../../../whatsapp/unsigned-limiter.ts';
import { flattenDelivery, type IntakeItem, parseDelivery } from '../../../whatsapp/webhook.ts';
import { refuseUnsigned } from './webhook-limits.ts';

const Received = z
  .object({
    items: z.number().int().openapi({ description: 'Items (messages, statuses) it carried' }),
    stored: z.number().int().openapi({
      description: 'Items seen for the first time; 0 for a retried or replayed delivery',
    }),
  })
  .openapi('WebhookReceived');

const route = createRoute({
  method: 'post',
  path: '/webhook',
  tags: ['whatsapp'],
  summary: 'Receive a delivery from Meta',
  description:
    'Meta posts messages and statuses here, signed: `X-Hub-Signature-256` is checked as an ' +
    'HMAC-SHA256 of the raw body with the app secret, in constant time, before anything ' +
    'parses it. Answers:\n\n' +
    '- **200** a valid delivery: stored and its processing queued, in one transaction. A ' +
    'retried, duplicated or replayed delivery (same signature, or the same message and ' +
    'status ids) is 200 too, with `stored: 0`: nothing is stored or processed twice.\n' +
    '- **401** no signature, a wrong one, or a body altered by even one byte; logged ' +
    '(never the body), nothing stored.\n' +
    '- **429** an address past its limit of unsigned requests. Signed requests are never ' +
    'limited: Meta retries for days.\n' +
    '- **503** the app secret is not configured (Meta retries).\n\n' +
    'A signed body this code cannot read is kept raw for an operator and answered 200.',
  responses: {
    200: {
      description: 'Taken',
      content: { 'application/json': { schema: Received } },
    },
    ...problemResponses(401, 413, 429, 503),
  },
});

const decoder = new TextDecoder('utf-8', { fatal: true });

/** The delivery's items, or null when the body is not a delivery this code reads. */
function itemsOf(raw: Uint8Array): IntakeItem[] | null {
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(raw));
  } catch {
    return null;
  }
  const parsed = parseDelivery(json);
  return parsed.success ? flattenDelivery(parsed.data) : null;
}

export function registerWebhookReceive(app: App, limiter: UnsignedLimiter | null): void {
  app.openapi(route, async (c) => {
    const { config, clock } = c.var.services;
    const secret = config.WHATSAPP_APP_SECRET;
    if (!secret) {
      c.var.log.error('WHATSAPP_APP_SECRET is not set: deliveries are refused until it is');
      throw new AppError('service_unavailable', { detail: 'The webhook is not configured' });
    }
    const raw = new Uint8Array(await c.req.arrayBuffer());
    const header = c.req.header(SIGNATURE_HEADER);
    if (!(await verifySignature(secret, raw, header))) {
      refuseUnsigned(
        c,
        limiter,
        new AppError('unauthorized', {
          detail: 'X-Hub-Signature-256 is missing or does not match the body',
        }),
        { reason: header ? 'bad_signature' : 'no_signature', bytes: raw.byteLength },
      );
    }
    const items = itemsOf(raw);
    if (!items)
      c.var.log.warn('kept a signed delivery this code cannot read', { bytes: raw.length });
    const sha256 = new Uint8Array(await crypto.subtle.digest('SHA-256', raw));
    const stored = await withService(c, (tx) =>
      storeDelivery(tx, { raw, sha256, items, at: new Date(clock.now()) }),
    );
    return c.json({ items: items?.length ?? 0, stored: stored.newKeys.length }, 200);
  });
}
