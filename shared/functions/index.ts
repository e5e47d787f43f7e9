import type { BuildApp } from '../runtime/app-from-env.ts';
import { buildAdminApp } from './admin/app.ts';
import { buildApiApp } from './api/app.ts';
import { buildAuthApp } from './auth/app.ts';
import { buildWhatsappApp } from './whatsapp/app.ts';

/** Every Edge Function by name; the local gateway and tests serve them from here. */
export const functionBuilders: Record<string, BuildApp> = {
  auth: buildAuthApp,
  api: buildApiApp,
  admin: buildAdminApp,
  whatsapp: buildWhatsappApp,
};
