import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from '../../scripts/db/migrate.ts';
import { CONSTRAINTS } from '../../shared/db/constraints.ts';
import { fromPgError } from '../../shared/db/errors.ts';
import { useTestDatabase } from '../helpers/db.ts';

const db = useTestDatabase();

/** The error a failing statement raises, as postgres.js hands it over. */
async function raised(statement: () => Promise<unknown>): Promise<unknown> {
  return statement().then(
    () => {
      throw new Error('expected the statement to fail');
    },
    (err: unknown) => err,
  );
}

describe('the one database error mapper', () => {
  it('names only constraints the migrations define', async () => {
    // A unique index names the violation too (an expression like lower(email) needs one).
    const rows = await db.sql<{ conname: string }[]>`
      select conname from pg_constraint
      union all
      select c.relname from pg_index i join pg_class c on c.oid = i.indexrelid where i.indisunique`;
    const defined = new Set(rows.map((r) => r.conname));
    const migrations = await Promise.all(
      (await readdir(MIGRATIONS_DIR)).map((f) => readFile(`${MIGRATIONS_DIR}/${f}`, 'utf8')),
    );
    // Triggers raise named violations of their own with `constraint = '<name>'`.
    const raisedByTriggers = new Set(
      migrations.flatMap((t) => [...t.matchAll(/constraint = '(\w+)'/g)].map((m) => m[1])),
    );
    const unknown = Object.keys(CONSTRAINTS).filter(
      (name) => !defined.has(name) && !raisedByTriggers.has(name),
    );
    expect(unknown).toEqual([]);
  });

  it('maps a named constraint to its field, and never shows the database message', async () => {
    await db.sql`insert into auth.users (id, email) values (gen_random_uuid(), 'a@example.com')`;
    const err = await raised(() => db.sql`update public.profiles set username = 'x!'`);
    const mapped = fromPgError(err);
    expect(mapped?.status).toBe(422);
    expect(mapped?.errors).toEqual([
      { path: 'body.username', message: 'Use 3 to 30 of a-z, 0-9, _ and .' },
    ]);
    expect(JSON.stringify(mapped?.detail)).not.toMatch(/profiles|violates|constraint/);
  });

  it('maps by SQLSTATE class when the constraint has no entry', async () => {
    await db.sql`create table public.err_probe (id int primary key, n int check (n > 0))`;
    await db.sql`insert into public.err_probe values (1, 1)`;
    await db.sql`revoke all on public.err_probe from anon`;
    const duplicate = fromPgError(
      await raised(() => db.sql`insert into public.err_probe values (1, 1)`),
    );
    expect(duplicate?.code).toBe('conflict');
    const check = fromPgError(
      await raised(() => db.sql`insert into public.err_probe values (2, 0)`),
    );
    expect(check?.code).toBe('validation_failed');
    const cast = fromPgError(await raised(() => db.sql`select 'nope'::uuid`));
    expect(cast?.code).toBe('validation_failed');
    const denied = fromPgError(
      await raised(() =>
        db.sql.begin(async (tx) => {
          await tx`set local role anon`;
          await tx`select * from public.err_probe`;
        }),
      ),
    );
    expect(denied?.code).toBe('forbidden');
  });

  it('answers 503 with Retry-After when the database is busy or gone', () => {
    for (const code of [
      '40001',
      '40P01',
      '57014',
      '57P01',
      '53300',
      '08006',
      'CONNECTION_CLOSED',
    ]) {
      const mapped = fromPgError(Object.assign(new Error('x'), { code }));
      expect([code, mapped?.status, mapped?.headers?.['retry-after']]).toEqual([code, 503, '1']);
    }
  });

  it('leaves server faults and non-database errors to the 500 path', () => {
    expect(fromPgError(Object.assign(new Error('x'), { code: '42P01' }))).toBeUndefined();
    expect(fromPgError(new TypeError('boom'))).toBeUndefined();
  });
});
