import type { Sql, Tx } from '../db/client.ts';
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
  db: Sql,
  opts: InitialAdminOptions,
): Promise<InitialAdminResult> {
  return db.begin(async (tx) => {
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
    return { status: found ? 'granted' : 'created', userId };
  }) as Promise<InitialAdminResult>;
}

async function currentAdmin(tx: Tx): Promise<string | undefined> {
  // Direct holders only: a child role of admin is a delegated admin, not the initial one.
  const [row] = await tx<{ user_id: string }[]>`
    select ur.user_id from public.user_roles ur join public.roles r on r.id = ur.role_id
     where r.name = 'admin' order by ur.granted_at limit 1`;
  return row?.user_id;
}
