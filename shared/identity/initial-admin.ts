import type { SupabaseClient } from '@supabase/supabase-js';
import type { Pool, Tx } from '../db/client.ts';
import { asOwner } from '../db/doors.ts';
import { grantRole } from './rbac.ts';

export interface InitialAdminOptions {
  email: string;
  password: string;
  /**
   * Creates the auth user and returns its id; the caller passes one that uses the Supabase
   * Auth admin API (`auth.admin.createUser` with `email_confirm: true`). It must not need a
   * connection from `db`'s pool beyond the one this function holds.
   */
  createUser: (email: string, password: string) => Promise<string>;
}

export interface InitialAdminResult {
  /** `exists`: someone already held admin; `granted`: an existing user got it; `created`: a new user. */
  status: 'exists' | 'granted' | 'created';
  userId: string;
}

/** Serializes concurrent start-ups (two API instances booting at once). */
const LOCK_KEY = 5_118_902_377;

/**
 * Makes sure some user holds `admin`: if nobody does, finds the auth user by `email` or
 * creates it through `createUser`, and grants `admin`. Idempotent, and safe when several
 * processes start at once. `db` must connect as the database owner (it reads auth.users).
 *
 * @example
 * await ensureInitialAdmin(db, { email, password, createUser: async (e, p) =>
 *   (await supabase.auth.admin.createUser({ email: e, password: p, email_confirm: true })).data.user!.id });
 */
export function ensureInitialAdmin(
  db: Pool,
  opts: InitialAdminOptions,
): Promise<InitialAdminResult> {
  return asOwner(db, async (tx) => {
    // Held until commit: a second start-up waits here, then sees the admin the first made.
    await tx`select pg_advisory_xact_lock(${LOCK_KEY})`;
    const current = await currentAdmin(tx);
    if (current) return { status: 'exists', userId: current };

    const [found] = await tx<{ id: string }[]>`
      select id from auth.users
       where lower(email) = lower(${opts.email}) and deleted_at is null
       order by created_at limit 1`;
    const userId = found?.id ?? (await opts.createUser(opts.email, opts.password));
    await grantRole(tx, userId, 'admin', null);
    return { status: found ? 'granted' : 'created', userId } as const;
  });
}

async function currentAdmin(tx: Tx): Promise<string | undefined> {
  // Direct holders only: a child role of admin is a delegated admin, not the initial one.
  const [row] = await tx<{ user_id: string }[]>`
    select ur.user_id from public.user_roles ur join public.roles r on r.id = ur.role_id
     where r.name = 'admin' order by ur.granted_at limit 1`;
  return row?.user_id;
}

/**
 * Makes the configured account the first admin when nobody holds the admin role: created
 * through the Auth admin API (a normal Auth user with a confirmed email) if it does not
 * exist. Idempotent and safe when several instances start at once. Returns what it did.
 */
export async function seedInitialAdmin(
  db: Pool,
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
