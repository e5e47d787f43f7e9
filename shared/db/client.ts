import postgres from 'postgres';

export type Sql = postgres.Sql;
export type Tx = postgres.TransactionSql;

/**
 * A postgres.js pool. Prepared statements are off because Supabase's transaction-mode
 * pooler (Supavisor, port 6543) cannot keep them across transactions.
 *
 * @example
 * const db = createDb(config.SUPABASE_DB_URL, { max: 5, name: 'api' });
 */
export function createDb(url: string, opts: { max?: number; name?: string } = {}): Sql {
  return postgres(url, {
    prepare: false,
    max: opts.max ?? 5,
    idle_timeout: 20,
    connect_timeout: 10,
    onnotice: () => {},
    connection: { application_name: opts.name ?? 'backend' },
  });
}
