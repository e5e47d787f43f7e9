import { appFromEnv } from '../../shared/functions/deps.ts';
import { buildWhatsappApp } from '../../shared/functions/whatsapp/app.ts';

Deno.serve(appFromEnv(buildWhatsappApp, Deno.env.toObject()).fetch);
