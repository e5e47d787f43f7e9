import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Sql } from '../../shared/db/client.ts';

export const BOOTSTRAP_FILE = fileURLToPath(new URL('./bootstrap.sql', import.meta.url));
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../supabase/migrations/', import.meta.url));
export const SEED_FILE = fileURLToPath(new URL('../../supabase/seed.sql', import.meta.url));

const MIGRATION_FILE = /^(\d{14})_([\w-]+)\.sql$/;

/** Serializes concurrent runners (two dev stacks, parallel CI jobs) on one database. */
const LOCK_KEY = 7_201_554_311;

/**
 * Makes a vanilla PostgreSQL look like a Supabase database (roles, `auth`, `storage`,
 * `realtime`). Idempotent; on real Supabase this is never run.
 */
export async function applyBootstrap(sql: Sql): Promise<void> {
  const text = await readFile(BOOTSTRAP_FILE, 'utf8');
  await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${LOCK_KEY})`;
    await tx.unsafe(text).simple();
  });
}

export interface Migration {
  version: string;
  name: string;
  file: string;
}

/** Migration files in apply order; a file not named `<14-digit version>_<name>.sql` is an error. */
export async function listMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  return files.map((file) => {
    const m = MIGRATION_FILE.exec(file);
    if (!m?.[1] || !m[2])
      throw new Error(`Migration file name must be <YYYYMMDDHHMMSS>_<name>.sql: ${file}`);
    return { version: m[1], name: m[2], file: `${dir}/${file}` };
  });
}

/**
 * Applies pending migrations in version order, each in its own transaction, and records it
 * in `supabase_migrations.schema_migrations` as the Supabase CLI does, so `supabase db push`
 * against the same database sees them as applied. Returns the versions it applied.
 */
export async function applyMigrations(sql: Sql, dir = MIGRATIONS_DIR): Promise<string[]> {
  const applied: string[] = [];
  for (const m of await listMigrations(dir)) {
    const text = await readFile(m.file, 'utf8');
    const done = await sql.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(${LOCK_KEY})`;
      const [seen] =
        await tx`select 1 from supabase_migrations.schema_migrations where version = ${m.version}`;
      if (seen) return false;
      await tx.unsafe(text).simple();
      await tx`insert into supabase_migrations.schema_migrations (version, name, statements)
               values (${m.version}, ${m.name}, ${[text]})`;
      return true;
    });
    if (done) applied.push(m.version);
  }
  return applied;
}

/** Runs `supabase/seed.sql`, as `supabase db reset` does after migrating. */
export async function applySeed(sql: Sql): Promise<void> {
  await sql.unsafe(await readFile(SEED_FILE, 'utf8')).simple();
}
