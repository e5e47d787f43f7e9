import { createApp } from '../../http/app.ts';
import type { App } from '../../http/context.ts';
import { baseOptions, type FunctionDeps } from '../../runtime/app-from-env.ts';
import { UnsignedLimiter } from '../../whatsapp/unsigned-limiter.ts';
import { registerWebhookReceive } from './routes/webhook-receive.ts';
import { registerWebhookVerify } from './routes/webhook-verify.ts';

/** The `whatsapp` function: Meta's webhook, verified by signature in the handler. */
export function buildWhatsappApp(deps: FunctionDeps): App {
  const app = createApp({
    name: 'whatsapp',
    title: 'WhatsApp webhook',
    description: 'Webhook verification and message intake from the WhatsApp Cloud API.',
    ...baseOptions(deps),
    // The signature covers the exact bytes: nothing may parse them before it is checked.
    rawBodyPaths: ['/webhook'],
  });
  const perMinute = deps.config.WHATSAPP_UNSIGNED_LIMIT_PER_MINUTE;
  const limiter =
    perMinute > 0
      ? new UnsignedLimiter({ limit: perMinute, windowMs: 60_000, clock: deps.services.clock })
      : null;
  registerWebhookVerify(app, limiter);
  registerWebhookReceive(app, limiter);
  return app;
}
