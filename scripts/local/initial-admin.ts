import { createClient } from '@supabase/supabase-js';
import type { Sql } from '../../shared/db/client.ts';
import { ensureInitialAdmin } from '../../shared/identity/initial-admin.ts';

/**
 * Creates the first admin through the Auth admin API (so the account is a normal Auth user
 * with a confirmed email) when nobody holds the admin role yet.
 */
export async function seedInitialAdmin(
  db: Sql,
  opts: { gatewayUrl: string; serviceRoleKey: string; email: string; password: string },
): Promise<string> {
  const admin = createClient(opts.gatewayUrl, opts.serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
  const result = await ensureInitialAdmin(db, {
    email: opts.email,
    password: opts.password,
    createUser: async (email, password) => {
      const { data, error } = await admin.auth.admin.createUser({
        email,
        password,
        email_confirm: true,
      });
      if (error || !data.user)
        throw new Error(`Could not create the initial admin: ${error?.message}`);
      return data.user.id;
    },
  });
  return result.status === 'exists'
    ? 'an admin already exists'
    : `${opts.email} is admin (${result.status})`;
}
