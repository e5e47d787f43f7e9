import { buildWhatsappApp } from '../../shared/functions/whatsapp/app.ts';
import { appFromEnv } from '../../shared/runtime/app-from-env.ts';

Deno.serve(appFromEnv(buildWhatsappApp, Deno.env.toObject()).fetch);
