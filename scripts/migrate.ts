import { z } from 'zod';
import { ConfigError, parseEnv, postgresUrl } from '../shared/config.ts';
import { createDb } from '../shared/db/client.ts';
import { redactString } from '../shared/log.ts';
import { applyBootstrap, applyMigrations } from './db/migrate.ts';

// `npm run db:migrate`: bootstrap and migrate the vanilla PostgreSQL in DATABASE_URL.
// A real Supabase project is migrated with `supabase db push` instead.
let env: { DATABASE_URL: string };
try {
  env = parseEnv(z.object({ DATABASE_URL: postgresUrl }), process.env);
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
}

const db = createDb(env.DATABASE_URL, { max: 1, name: 'migrate' });
try {
  await applyBootstrap(db);
  const applied = await applyMigrations(db);
  console.log(
    `${redactString(env.DATABASE_URL)}: ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}`,
  );
} catch (err) {
  console.error(`Migration failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  await db.end();
}
