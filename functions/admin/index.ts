import { buildAdminApp } from '../../shared/functions/admin/app.ts';
import { appFromEnv } from '../../shared/runtime/app-from-env.ts';

Deno.serve(appFromEnv(buildAdminApp, Deno.env.toObject()).fetch);
