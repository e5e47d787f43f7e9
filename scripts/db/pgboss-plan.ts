import { getConstructionPlans } from 'pg-boss';

/** The schema pg-boss lives in; the worker and the API's enqueue both name it. */
export const PGBOSS_SCHEMA = 'pgboss';

/**
 * pg-boss's own installation SQL for the installed version, as a migration body: pg-boss
 * wraps it in BEGIN/COMMIT, which a migration must not (the runner and `supabase db push`
 * run each migration in a transaction of their own), so those two lines are dropped and
 * nothing else is changed.
 */
export function pgbossMigrationBody(schema = PGBOSS_SCHEMA): string {
  return getConstructionPlans(schema)
    .split('\n')
    .filter((line) => !/^\s*(BEGIN|COMMIT);\s*$/.test(line))
    .join('\n')
    .trim();
}

export const PGBOSS_MIGRATION_HEADER = `-- pg-boss's schema, generated from the installed pg-boss by scripts/db/pgboss-plan.ts.
-- Installed by migration (not by the worker at start-up) so the API can enqueue before any
-- worker has run, and so \`supabase db push\` installs it in production. A worker's pg-boss
-- start finds it current. Never edit by hand: upgrading pg-boss to a new schema version takes
-- a new migration from getMigrationPlans(), and tests/integration/jobs/pgboss-schema.test.ts
-- says when.
`;

// `node scripts/db/pgboss-plan.ts > supabase/migrations/<version>_pgboss.sql`
if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${PGBOSS_MIGRATION_HEADER}\n${pgbossMigrationBody()}\n`);
}
