import { buildAdminApp } from '../../shared/functions/admin/app.ts';
import { appFromEnv } from '../../shared/functions/deps.ts';

Deno.serve(appFromEnv(buildAdminApp, Deno.env.toObject()).fetch);
