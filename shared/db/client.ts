import postgres from 'postgres';

declare const poolBrand: unique symbol;
declare const txBrand: unique symbol;

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
 * and a Tx is not a Pool (it lacks the brand), so neither can stand in for the other.
 */
export type Tx = postgres.TransactionSql;

/**
 * A postgres.js pool. Prepared statements are off because Supabase's transaction-mode
 * pooler (Supavisor, port 6543) cannot keep them across transactions.
 *
 * @example
 * const db = createDb(config.SUPABASE_DB_URL, { max: config.DB_POOL_SIZE, name: 'api' });
 */
export function createDb(url: string, opts: { max?: number; name?: string } = {}): Pool {
  return postgres(url, {
    prepare: false,
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
