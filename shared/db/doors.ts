import type { Pool, Tx } from './client.ts';

/** The JWT claims Postgres sees through `request.jwt.claims`, as PostgREST sets them. */
export interface DbClaims {
  sub: string;
  role: 'authenticated' | 'anon';
  [claim: string]: unknown;
}

/**
 * One transaction with the identity set first. The identity is sent at once, without waiting,
 * so postgres.js pipelines it with the callback's first query: a one-query request costs three
 * round trips (`begin`, that write, `commit`). postgres.js's own `begin` holds the connection
 * from `begin` to `commit`; when the server goes away mid-transaction (a restart) it fails the
 * transaction at once and makes the connection anew, where a connection reserved by hand and
 * given back would stay dead in the pool.
 */
async function transaction<T>(
  db: Pool,
  role: string,
  claims: string,
  fn: (tx: Tx) => Promise<T>,
): Promise<T> {
  return (await db.begin(async (tx) => {
    const identity = tx`select set_config('role', ${role}, true),
                               set_config('request.jwt.claims', ${claims}, true)`.execute();
    // Looked at only once fn is done: a connection lost meanwhile must not reject it unwatched
    // (an unhandled rejection, which ends a Deno isolate or a Node process).
    identity.catch(() => {});
    try {
      const result = await fn(tx);
      await identity;
      return result;
    } catch (err) {
      // The identity's own failure (if any) is the real cause; fn's error follows from it.
      const failed = await identity.then(
        () => undefined,
        (e: unknown) => e,
      );
      throw failed ?? err;
    }
  })) as T;
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
export function asUser<T>(db: Pool, claims: DbClaims, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return transaction(db, claims.role, JSON.stringify(claims), fn);
}

/**
 * Runs `fn` in a transaction as `service_role`: RLS is bypassed, so this door is for the
 * worker, webhooks, machine-to-machine and admin work only. Grep for it when reviewing.
 */
export function asService<T>(db: Pool, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return transaction(db, 'service_role', '{"role":"service_role"}', fn);
}

/**
 * Runs `fn` in a transaction as the role the pool connects with (the database owner): for
 * start-up work that reads Auth's own tables, such as seeding the first admin. Never for
 * a request.
 */
export function asOwner<T>(db: Pool, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.begin((tx) => fn(tx)) as Promise<T>;
}
