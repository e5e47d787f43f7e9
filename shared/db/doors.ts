import type postgres from 'postgres';
import type { Pool, Tx } from './client.ts';

/** The JWT claims Postgres sees through `request.jwt.claims`, as PostgREST sets them. */
export interface DbClaims {
  sub: string;
  role: 'authenticated' | 'anon';
  [claim: string]: unknown;
}

/**
 * One transaction on a connection of its own, with the identity set first. `begin`, the
 * identity and the callback's first query leave in one write, so a one-query request costs
 * two round trips (that write, and `commit`) instead of four. The pool's connection is held
 * from `begin` to `commit` and never longer.
 */
async function transaction<T>(
  db: Pool,
  role: string,
  claims: string,
  fn: (tx: Tx) => Promise<T>,
): Promise<T> {
  const conn = await db.reserve();
  const tx = Object.assign(conn, {
    savepoint: savepointOn(conn),
    prepare: noPrepare,
  }) as unknown as Tx;
  // Executed now, not when awaited: a query runs in the order its execution starts, and
  // `Promise.all` would start these a microtask late, behind a query fn starts at once.
  // postgres.js then pipelines all three in one write.
  const opening = Promise.all([
    conn`begin`.execute(),
    conn`select set_config('role', ${role}, true),
                set_config('request.jwt.claims', ${claims}, true)`.execute(),
  ]);
  try {
    const result = await fn(tx);
    await opening;
    await conn`commit`;
    return result;
  } catch (err) {
    // The opening's own failure (if any) is the real cause; fn's error follows from it.
    const opened = await opening.then(
      () => undefined,
      (e: unknown) => e,
    );
    await conn`rollback`.catch(() => {});
    throw opened ?? err;
  } finally {
    conn.release();
  }
}

/** `tx.savepoint(fn)` on a reserved connection, as postgres.js offers it inside `begin`. */
function savepointOn(conn: postgres.ReservedSql) {
  let next = 0;
  return async <T>(fn: (tx: Tx) => T | Promise<T>): Promise<T> => {
    const name = conn(`sp_${next++}`);
    await conn`savepoint ${name}`;
    try {
      const result = await fn(conn as unknown as Tx);
      await conn`release savepoint ${name}`;
      return result;
    } catch (err) {
      await conn`rollback to savepoint ${name}`;
      throw err;
    }
  };
}

const noPrepare = () => Promise.reject(new Error('two-phase commit is not used here'));

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
