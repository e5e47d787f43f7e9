import { buildApiApp } from '../../shared/functions/api/app.ts';
import { appFromEnv } from '../../shared/functions/deps.ts';

Deno.serve(appFromEnv(buildApiApp, Deno.env.toObject()).fetch);
