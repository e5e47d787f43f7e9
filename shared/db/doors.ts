import postgres from 'postgres';
import type { Pool, Tx } from './client.ts';

/** The JWT claims Postgres sees through `request.jwt.claims`, as PostgREST sets them. */
export interface DbClaims {
  sub: string;
  role: 'authenticated' | 'anon';
  [claim: string]: unknown;
}

/** A string as an SQL literal, whatever `standard_conforming_strings` says (libpq's rule). */
function literal(value: string): string {
  const quoted = value.replaceAll("'", "''");
  return value.includes('\\') ? `E'${quoted.replaceAll('\\', '\\\\')}'` : `'${quoted}'`;
}

/** The identity every policy reads, as one statement without parameters. */
const identity = (role: string, claims: string) =>
  `select set_config('role', ${literal(role)}, true), ` +
  `set_config('request.jwt.claims', ${literal(claims)}, true)`;

/**
 * How doors open transactions. On a reserved connection (the default where postgres.js
 * carries this repository's patch, see `patches/`) a one-query request costs two round
 * trips; through postgres.js's own `begin`, which is safe without the patch, three. Tests
 * run the doors both ways.
 */
export const doorSettings = {
  reserve: (postgres as unknown as { reserveSurvivesLoss?: boolean }).reserveSurvivesLoss === true,
};

/**
 * One transaction with the identity set first, on a connection held from `begin` to `commit`.
 *
 * The opening (`begin` and the identity, one simple-protocol message) is sent without
 * waiting, so it shares a round trip with the callback's first query; then `commit`. It
 * carries no parameters because, without prepared statements, postgres.js asks the server
 * for their types first, a round trip each; its values are ours (a role name and claims we
 * verified), quoted.
 *
 * A connection that dies meanwhile fails its queries at once and is made anew by the pool,
 * never handed out again dead, nor reached by a query sent after the loss (the patch).
 */
async function transaction<T>(
  db: Pool,
  who: string | undefined,
  fn: (tx: Tx) => Promise<T>,
): Promise<T> {
  if (!doorSettings.reserve) return (await db.begin((tx) => first(tx, who, fn))) as T;
  const conn = await db.reserve();
  try {
    let result: T;
    try {
      result = await first(withSavepoints(conn), who ? `begin; ${who}` : 'begin', fn);
    } catch (err) {
      await conn.unsafe('rollback').catch(() => {});
      throw err;
    }
    const done = await conn.unsafe('commit');
    // PostgreSQL answers `commit` in a transaction where a statement failed by rolling back.
    // That happens only when fn caught a database error and carried on: not a success.
    if (done.command !== 'COMMIT') throw new Error(`transaction ended with ${done.command}`);
    return result;
  } finally {
    conn.release();
  }
}

/** Sends `opening` without waiting, then runs fn; the opening's failure is the real cause. */
async function first<T>(tx: Tx, opening: string | undefined, fn: (tx: Tx) => Promise<T>) {
  if (!opening) return fn(tx);
  const opened = tx.unsafe(opening).execute();
  // Looked at only once fn is done: a connection lost meanwhile must not reject it unwatched
  // (an unhandled rejection, which ends a Deno isolate or a Node process).
  opened.catch(() => {});
  try {
    const result = await fn(tx);
    await opened;
    return result;
  } catch (err) {
    const failed = await opened.then(
      () => undefined,
      (e: unknown) => e,
    );
    throw failed ?? err;
  }
}

/** The reserved connection as a Tx: queries run on it, and `savepoint` nests as in `begin`. */
function withSavepoints(conn: Awaited<ReturnType<Pool['reserve']>>): Tx {
  let count = 0;
  const tx = conn as unknown as Tx;
  tx.savepoint = (async (fn: (sp: Tx) => unknown) => {
    const name = `s${count++}`;
    await conn.unsafe(`savepoint ${name}`);
    try {
      const result = await fn(tx);
      await conn.unsafe(`release savepoint ${name}`);
      return result;
    } catch (err) {
      await conn.unsafe(`rollback to savepoint ${name}`);
      throw err;
    }
  }) as Tx['savepoint'];
  return tx;
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
  return transaction(db, identity(claims.role, JSON.stringify(claims)), fn);
}

/**
 * `asUser` for one statement, in one round trip: fn hands back its statement unsent, and the
 * door writes it between `begin` with the identity and `commit`, all at once. Nothing waits
 * between them, so fn can send nothing else: it returns a statement, not a promise of work.
 * A statement that fails takes the transaction with it (PostgreSQL then answers `commit`
 * by rolling back), and its error is thrown.
 *
 * @example
 * const rows = await queryAsUser(db, claims, (tx) => tx`select * from projects`);
 */
export async function queryAsUser<R extends readonly postgres.MaybeRow[]>(
  db: Pool,
  claims: DbClaims,
  fn: (tx: Tx) => postgres.PendingQuery<R>,
): Promise<postgres.RowList<R>> {
  const who = identity(claims.role, JSON.stringify(claims));
  if (!doorSettings.reserve) return transaction(db, who, fn);
  const conn = await db.reserve();
  try {
    const sent = [
      conn.unsafe(`begin; ${who}`).execute(),
      fn(withSavepoints(conn)).execute(),
      conn.unsafe('commit').execute(),
    ] as const;
    const [opened, query, committed] = await Promise.allSettled(sent);
    // The first failure is the cause: what follows it only saw the transaction aborted.
    for (const step of [opened, query, committed]) {
      if (step.status === 'rejected') throw step.reason;
    }
    const done = (committed as PromiseFulfilledResult<postgres.RowList<postgres.Row[]>>).value;
    if (done.command !== 'COMMIT') throw new Error(`transaction ended with ${done.command}`);
    return (query as PromiseFulfilledResult<postgres.RowList<R>>).value;
  } finally {
    conn.release();
  }
}

const SERVICE = identity('service_role', '{"role":"service_role"}');

/**
 * Runs `fn` in a transaction as `service_role`: RLS is bypassed, so this door is for the
 * worker, webhooks, machine-to-machine and admin work only. Grep for it when reviewing.
 */
export function asService<T>(db: Pool, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return transaction(db, SERVICE, fn);
}

/**
 * Runs `fn` in a transaction as the role the pool connects with (the database owner): for
 * start-up work that reads Auth's own tables, such as seeding the first admin. Never for
 * a request.
 */
export function asOwner<T>(db: Pool, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return transaction(db, undefined, fn);
}
