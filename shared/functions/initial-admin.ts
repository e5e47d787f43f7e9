import type { SupabaseClient } from '@supabase/supabase-js';
import type { Sql } from '../db/client.ts';
import { ensureInitialAdmin } from '../identity/initial-admin.ts';

/**
 * Makes the configured account the first admin when nobody holds the admin role: created
 * through the Auth admin API (a normal Auth user with a confirmed email) if it does not
 * exist. Idempotent and safe when several instances start at once. Returns what it did.
 */
export async function seedInitialAdmin(
  db: Sql,
  admin: SupabaseClient,
  account: { email: string; password: string },
): Promise<string> {
  const result = await ensureInitialAdmin(db, {
    ...account,
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
    : `${account.email} is admin (${result.status})`;
}
