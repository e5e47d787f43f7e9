import { buildApiApp } from '../../shared/functions/api/app.ts';
import { appFromEnv } from '../../shared/runtime/app-from-env.ts';

Deno.serve(appFromEnv(buildApiApp, Deno.env.toObject()).fetch);
