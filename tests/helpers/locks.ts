import type { Pool } from '../../shared/db/client.ts';

/**
 * Resolves once some session of this database is waiting for a lock another transaction
 * holds: the proof that two transactions really met, rather than ran one after the other.
 * It watches the database's own state, not the clock; it gives up after `attempts` looks.
 */
export async function someoneBlocked(sql: Pool, attempts = 500): Promise<'blocked'> {
  for (let i = 0; i < attempts; i++) {
    const [row] = await sql<{ n: number }[]>`
      select count(*)::int as n from pg_stat_activity
       where datname = current_database() and wait_event_type = 'Lock'`;
    if ((row?.n ?? 0) > 0) return 'blocked';
    await new Promise((r) => setImmediate(r));
  }
  throw new Error('no session ever waited for a lock');
}

/** A promise and the function that settles it, to hold one side of a race at a known point. */
export function gate(): { opened: Promise<void>; open: () => void } {
  let open = () => {};
  const opened = new Promise<void>((r) => {
    open = r;
  });
  return { opened, open };
}
