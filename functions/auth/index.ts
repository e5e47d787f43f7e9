import { buildAuthApp } from '../../shared/functions/auth/app.ts';
import { appFromEnv } from '../../shared/functions/deps.ts';

Deno.serve(appFromEnv(buildAuthApp, Deno.env.toObject()).fetch);
