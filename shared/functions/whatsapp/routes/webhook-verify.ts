import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../../errors.ts';
import type { App } from '../../../http/context.ts';
import { problemResponses } from '../../../http/schemas.ts';
import type { UnsignedLimiter } from '../../../whatsapp/unsigned-limiter.ts';
import { refuseUnsigned, secretsEqual } from './webhook-limits.ts';

const HandshakeQuery = z.object({
  'hub.mode': z.string().max(64).optional().openapi({ example: 'subscribe' }),
  'hub.verify_token': z.string().max(1024).optional(),
  // Meta sends digits; anything echoed back is kept to harmless characters.
  'hub.challenge': z
    .string()
    .regex(/^[A-Za-z0-9._~-]{1,256}$/)
    .optional()
    .openapi({ example: '1158201444' }),
});

const route = createRoute({
  method: 'get',
  path: '/webhook',
  tags: ['whatsapp'],
  summary: "Meta's subscription handshake",
  description:
    'Meta calls this when the webhook is configured: with `hub.mode=subscribe` and the ' +
    '`hub.verify_token` set in the app (`WHATSAPP_VERIFY_TOKEN`), the answer is ' +
    '`hub.challenge` as text. A wrong token or mode is a 403, and counts against the ' +
    "address's limit of unsigned requests (429 past it).",
  request: { query: HandshakeQuery },
  responses: {
    200: {
      description: 'The challenge, echoed',
      content: { 'text/plain': { schema: z.string().openapi({ example: '1158201444' }) } },
    },
    ...problemResponses(403, 422, 429, 503),
  },
});

export function registerWebhookVerify(app: App, limiter: UnsignedLimiter | null): void {
  app.openapi(route, async (c) => {
    const expected = c.var.services.config.WHATSAPP_VERIFY_TOKEN;
    if (!expected) {
      c.var.log.error('WHATSAPP_VERIFY_TOKEN is not set: the webhook cannot be subscribed');
      throw new AppError('service_unavailable', { detail: 'The webhook is not configured' });
    }
    const q = c.req.valid('query');
    const token = q['hub.verify_token'] ?? '';
    const challenge = q['hub.challenge'];
    const ok = (await secretsEqual(token, expected)) && q['hub.mode'] === 'subscribe';
    if (!ok || !challenge) {
      refuseUnsigned(
        c,
        limiter,
        new AppError('forbidden', { detail: 'The verify token or mode does not match' }),
        { reason: 'handshake' },
      );
    }
    return c.text(challenge, 200);
  });
}
