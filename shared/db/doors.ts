import type { Sql, Tx } from './client.ts';

/** The JWT claims Postgres sees through `request.jwt.claims`, as PostgREST sets them. */
export interface DbClaims {
  sub: string;
  role: 'authenticated' | 'anon';
  [claim: string]: unknown;
}

/**
 * Runs `fn` in a transaction as the caller: `role` becomes `authenticated` (or `anon`) and
 * `request.jwt.claims` holds their claims, exactly as PostgREST does, so `auth.uid()` and
 * every RLS policy apply. Both settings are transaction-local and vanish at commit, so a
 * pooled connection never carries one user's identity into the next transaction.
 *
 * @example
 * const projects = await asUser(db, claims, (tx) => tx`select * from projects`);
 */
export function asUser<T>(db: Sql, claims: DbClaims, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.begin(async (tx) => {
    await tx`select set_config('role', ${claims.role}, true),
                    set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
    return fn(tx);
  }) as Promise<T>;
}

/**
 * Runs `fn` in a transaction as `service_role`: RLS is bypassed, so this door is for the
 * worker, webhooks, machine-to-machine and admin work only. Grep for it when reviewing.
 */
export function asService<T>(db: Sql, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.begin(async (tx) => {
    await tx`select set_config('role', 'service_role', true),
                    set_config('request.jwt.claims', '{"role":"service_role"}', true)`;
    return fn(tx);
  }) as Promise<T>;
}
