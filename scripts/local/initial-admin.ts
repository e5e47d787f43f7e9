import { createClient } from '@supabase/supabase-js';
import type { Pool } from '../../shared/db/client.ts';
import { seedInitialAdmin as seed } from '../../shared/identity/initial-admin.ts';

/** The first admin for the local stack, through its own gateway's Auth admin API. */
export function seedInitialAdmin(
  db: Pool,
  opts: { gatewayUrl: string; serviceRoleKey: string; email: string; password: string },
): Promise<string> {
  const admin = createClient(opts.gatewayUrl, opts.serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
  return seed(db, admin, { email: opts.email, password: opts.password });
}
