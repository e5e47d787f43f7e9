import { randomUUID } from 'node:crypto';
import type { Pool as Sql } from '../../../shared/db/client.ts';
import type { DbClaims } from '../../../shared/db/doors.ts';

let n = 0;

/** A unique address per call, so tests in one file never collide. */
export const uniqueEmail = (prefix = 'user') =>
  `${prefix}${++n}-${randomUUID().slice(0, 8)}@example.com`;

/**
 * Inserts a user straight into auth.users as the superuser, as GoTrue would: the sign-up
 * triggers (profile, `user` role) fire exactly as in production.
 */
export async function createAuthUser(
  sql: Sql,
  opts: { email?: string | null; meta?: Record<string, unknown> } = {},
): Promise<string> {
  const id = randomUUID();
  const email = opts.email === undefined ? uniqueEmail() : opts.email;
  await sql`
    insert into auth.users (instance_id, id, aud, role, email, raw_user_meta_data, raw_app_meta_data,
                            created_at, updated_at)
    values ('00000000-0000-0000-0000-000000000000', ${id}, 'authenticated', 'authenticated',
            ${email}, ${sql.json((opts.meta ?? {}) as never)}, '{"provider":"email"}'::jsonb,
            now(), now())`;
  return id;
}

/** The claims asUser needs to act as `sub`. */
export const claimsOf = (sub: string): DbClaims => ({ sub, role: 'authenticated' });

/** Gives a user a role by name, as the superuser. */
export async function grant(sql: Sql, userId: string, role: string): Promise<void> {
  await sql`
    insert into public.user_roles (user_id, role_id)
    select ${userId}, id from public.roles where name = ${role}
    on conflict do nothing`;
}

/** Runs `fn` expecting it to fail, and returns the Postgres error code. */
export async function pgError(fn: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  throw new Error('expected a database error, but the call succeeded');
}
