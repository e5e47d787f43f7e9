import { createApp } from '../../http/app.ts';
import type { App } from '../../http/context.ts';
import { baseOptions, type FunctionDeps } from '../../runtime/app-from-env.ts';

/** The `whatsapp` function: Meta's webhook, verified by signature in the handler. */
export function buildWhatsappApp(deps: FunctionDeps): App {
  return createApp({
    name: 'whatsapp',
    title: 'WhatsApp webhook',
    description: 'Webhook verification and message intake from the WhatsApp Cloud API.',
    ...baseOptions(deps),
  });
}
