import { buildAuthApp } from '../../shared/functions/auth/app.ts';
import { appFromEnv } from '../../shared/runtime/app-from-env.ts';

Deno.serve(appFromEnv(buildAuthApp, Deno.env.toObject()).fetch);
