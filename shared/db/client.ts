import postgres from 'postgres';

declare const poolBrand: unique symbol;

/** Any postgres.js handle; only code outside the request path (scripts, tests) uses it bare. */
export type Sql = postgres.Sql;

/**
 * A connection pool. What takes a Pool opens its own transaction (the doors in doors.ts), so
 * it can never be handed a Tx: a request that holds a connection cannot ask for a second.
 */
export type Pool = postgres.Sql & { readonly [poolBrand]: true };

/**
 * An open transaction, as a door hands it to its callback. Query modules take only this:
 * they run inside a door and never open one. A Pool is not a Tx (it has no `savepoint`),
 * and a Tx is not a Pool (it lacks the brand and `begin`), so neither can stand in for the
 * other. postgres.js's own `begin` hands out one too (scripts and tests use it).
 */
export interface Tx extends postgres.ISql {
  savepoint<T>(fn: (sp: Tx) => T | Promise<T>): Promise<Awaited<T>>;
}

/**
 * Supabase's transaction-mode poolers (Supavisor and PgBouncer) listen on 6543 and cannot
 * keep a prepared statement from one transaction to the next; a direct connection and the
 * session-mode pooler (5432) can.
 */
export function supportsPreparedStatements(url: string): boolean {
  return new URL(url).port !== '6543';
}

/**
 * A postgres.js pool. Prepared statements are used where the connection keeps them
 * (`prepare`, by default decided from the URL): each query then costs one round trip once
 * its connection has seen it, where an unprepared query with parameters costs two (postgres.js
 * asks the server for the parameters' types first).
 *
 * @example
 * const db = createDb(config.SUPABASE_DB_URL, { max: config.DB_POOL_SIZE, name: 'api' });
 */
export function createDb(
  url: string,
  opts: { max?: number; name?: string; prepare?: boolean } = {},
): Pool {
  return postgres(url, {
    prepare: opts.prepare ?? supportsPreparedStatements(url),
    max: opts.max ?? 5,
    idle_timeout: 20,
    connect_timeout: 10,
    // Between attempts to make a lost connection again. postgres.js waits up to 20 s by
    // default, and queries queued meanwhile wait with it: after a database restart requests
    // would hang that long. Half a second at most keeps the wait to the outage.
    backoff: (attempts: number) => Math.min(0.05 * 2 ** attempts, 0.5),
    onnotice: () => {},
    connection: { application_name: opts.name ?? 'backend' },
  }) as Pool;
}
