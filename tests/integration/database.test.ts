import { readdir, readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { applyBootstrap, applyMigrations, MIGRATIONS_DIR } from '../../scripts/db/migrate.ts';
import { createDb, type Pool, type Tx } from '../../shared/db/client.ts';
import { asService, asUser, doorSettings, queryAsUser } from '../../shared/db/doors.ts';
import { useTestDatabase } from '../helpers/db.ts';

const db = useTestDatabase();
const other = useTestDatabase();

/** Everything the bootstrap defines, in a comparable form. */
async function schemaSnapshot() {
  return db.sql`
    select 'rel' as kind, n.nspname || '.' || c.relname || ':' || c.relkind::text as name
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname in ('auth', 'storage', 'realtime', 'extensions', 'supabase_migrations', 'public')
    union all
    select 'col', table_schema || '.' || table_name || '.' || column_name || ':' || data_type
      from information_schema.columns where table_schema in ('auth', 'storage', 'realtime')
    union all
    select 'fn', n.nspname || '.' || p.proname || ':' || md5(p.prosrc)
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname in ('auth', 'storage', 'realtime', 'public')
    union all
    select 'grant', grantee || ':' || table_schema || '.' || table_name || ':' || privilege_type
      from information_schema.role_table_grants where table_schema in ('auth', 'storage', 'realtime', 'public')
    union all
    select 'policy', schemaname || '.' || tablename || '.' || policyname from pg_policies
    order by 1, 2`;
}

describe('the Supabase bootstrap', () => {
  it('is idempotent: applying it again changes nothing', async () => {
    const before = await schemaSnapshot();
    await applyBootstrap(db.sql);
    await applyBootstrap(db.sql);
    expect(await schemaSnapshot()).toEqual(before);
    expect(before.length).toBeGreaterThan(100);
  });

  it('creates the roles Supabase has, with service_role bypassing RLS', async () => {
    const roles = await db.sql`
      select rolname, rolcanlogin, rolbypassrls from pg_roles
       where rolname in ('anon', 'authenticated', 'service_role') order by rolname`;
    expect(roles).toEqual([
      { rolname: 'anon', rolcanlogin: false, rolbypassrls: false },
      { rolname: 'authenticated', rolcanlogin: false, rolbypassrls: false },
      { rolname: 'service_role', rolcanlogin: false, rolbypassrls: true },
    ]);
  });
});

describe('migrations', () => {
  it('were applied in file order and recorded as the Supabase CLI records them', async () => {
    const files = (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).sort();
    const rows =
      await db.sql`select version, name, statements from supabase_migrations.schema_migrations order by version`;
    expect(rows.map((r) => `${r.version}_${r.name}.sql`)).toEqual(files);
    for (const row of rows) {
      const text = await readFile(`${MIGRATIONS_DIR}/${row.version}_${row.name}.sql`, 'utf8');
      expect(row.statements).toEqual([text]);
    }
    expect(await applyMigrations(db.sql)).toEqual([]);
  });

  it('created the public building blocks', async () => {
    await db.sql`create table public.t_touch (id int primary key, v text, updated_at timestamptz)`;
    await db.sql`create trigger t_touch_updated before update on public.t_touch
                 for each row execute function public.set_updated_at()`;
    await db.sql`insert into public.t_touch values (1, 'a', '2000-01-01')`;
    const [row] = await db.sql`update public.t_touch set v = 'b' where id = 1 returning updated_at`;
    expect(new Date(row?.updated_at).getFullYear()).toBeGreaterThan(2000);
  });
});

it('postgres.js carries the patch, so doors use a reserved connection', () => {
  expect(doorSettings.reserve).toBe(true);
});

describe.each([
  ['on a reserved connection', true],
  ["through postgres.js's begin", false],
])('the two database doors, %s', (_, reserve) => {
  const sub = '3f1b8a52-2d7e-4c1a-9b8e-6f0c2a4d5e61';
  const patched = doorSettings.reserve;
  beforeAll(() => {
    doorSettings.reserve = reserve;
  });
  afterAll(() => {
    doorSettings.reserve = patched;
  });

  it('asUser switches to authenticated with the claims, so auth.uid() is the sub', async () => {
    const claims = { sub, role: 'authenticated' as const, email: 'ada@example.com', aal: 'aal1' };
    const [row] = await asUser(
      db.sql,
      claims,
      (tx) =>
        tx`select current_user, auth.uid() as uid, auth.role() as role, auth.email() as email, auth.jwt() ->> 'aal' as aal`,
    );
    expect(row).toEqual({
      current_user: 'authenticated',
      uid: sub,
      role: 'authenticated',
      email: 'ada@example.com',
      aal: 'aal1',
    });
  });

  it('leaves no identity behind on the connection after the transaction', async () => {
    await asUser(db.sql, { sub, role: 'authenticated' }, (tx) => tx`select 1`);
    const rows = await Promise.all(
      Array.from({ length: 8 }, () => db.sql`select current_user, auth.uid() as uid`),
    );
    for (const row of rows) expect(row[0]).toEqual({ current_user: 'postgres', uid: null });
  });

  it("sets the identity before the callback's first query, even one started at once", async () => {
    // A query whose execution starts synchronously inside the callback must still run
    // inside the transaction and as the caller.
    const row = await asUser(db.sql, { sub, role: 'authenticated' }, (tx) =>
      tx`select current_user, auth.uid() as uid, now() = statement_timestamp() as fresh`.then(
        ([r]) => r,
      ),
    );
    expect(row).toEqual({ current_user: 'authenticated', uid: sub, fresh: false });
  });

  it('rolls everything back when the callback fails, and the connection is reusable', async () => {
    await db.sql`drop table if exists public.door_probe`;
    await db.sql`create table public.door_probe (v text)`;
    await db.sql`grant insert, select on public.door_probe to authenticated`;
    const err = await asUser(db.sql, { sub, role: 'authenticated' }, async (tx) => {
      await tx`insert into public.door_probe values ('kept?')`;
      throw new Error('changed my mind');
    }).catch((e: Error) => e.message);
    expect(err).toBe('changed my mind');
    const sqlErr = await asUser(db.sql, { sub, role: 'authenticated' }, async (tx) => {
      await tx`insert into public.door_probe values ('kept?')`;
      await tx`select 1/0`;
    }).catch((e: { code?: string }) => e.code);
    expect(sqlErr).toBe('22012');
    const [count] = await db.sql`select count(*)::int as n from public.door_probe`;
    expect(count?.n).toBe(0);
    const [again] = await asService(db.sql, (tx) => tx`select current_user`);
    expect(again?.current_user).toBe('service_role');
  });

  it('keep transactions from nesting: a door takes a pool, never a transaction', () => {
    // Checked by tsc: a request holding a connection cannot hand it to a door for a second
    // one, and a query module cannot be handed the pool.
    expectTypeOf<Tx>().not.toExtend<Pool>();
    expectTypeOf<Pool>().not.toExtend<Tx>();
  });

  it('hands PostgreSQL the claims exactly, quotes and backslashes included', async () => {
    const claims = {
      sub,
      role: 'authenticated' as const,
      user_metadata: { name: 'O\'Brien \\ "the" \'; select 1; --', path: 'C:\\tmp\\x' },
    };
    const [row] = await asUser(
      db.sql,
      claims,
      (tx) => tx`select current_setting('request.jwt.claims') as claims, auth.uid() as uid`,
    );
    expect(row?.uid).toBe(sub);
    expect(JSON.parse(row?.claims)).toEqual(claims);
  });

  it('refuses to commit when the callback swallowed a failed statement', async () => {
    await db.sql`drop table if exists public.swallow_probe`;
    await db.sql`create table public.swallow_probe (v int primary key)`;
    const outcome = await asService(db.sql, async (tx) => {
      await tx`insert into public.swallow_probe values (1)`;
      await tx`insert into public.swallow_probe values (1)`.catch(() => 'ignored');
      return 'done';
    }).then(
      () => 'committed',
      (e: Error) => e.message,
    );
    // postgres.js's begin throws the swallowed error itself.
    expect(outcome).toMatch(/^(transaction ended with ROLLBACK|duplicate key value .*)$/);
    const [count] = await db.sql`select count(*)::int as n from public.swallow_probe`;
    expect(count?.n).toBe(0);
  });

  it('nests savepoints: a failed one is undone, the rest commits', async () => {
    await db.sql`drop table if exists public.savepoint_probe`;
    await db.sql`create table public.savepoint_probe (v int primary key)`;
    await asService(db.sql, async (tx) => {
      await tx`insert into public.savepoint_probe values (1)`;
      const dup = await tx
        .savepoint((sp) => sp`insert into public.savepoint_probe values (2), (1)`)
        .catch((e: { code?: string }) => e.code);
      expect(dup).toBe('23505');
      await tx.savepoint((sp) => sp`insert into public.savepoint_probe values (3)`);
    });
    const rows = await db.sql`select v from public.savepoint_probe order by v`;
    expect(rows.map((r) => r.v)).toEqual([1, 3]);
  });

  it('never hands out a connection that died inside a transaction', async () => {
    // One connection: the transactions queued behind the one that loses it get whatever the
    // pool makes of it next.
    const pool = createDb(db.url, { max: 1, name: 'door-probe' });
    try {
      for (let round = 0; round < 3; round++) {
        const killed = asService(pool, async (tx) => {
          const [me] = await tx`select pg_backend_pid() as pid`;
          // The first is new to the connection, so it is described before it runs and the
          // other two wait their turn behind it: the loss must fail them too.
          const batch = Promise.all([
            tx`select pg_sleep(0.2), ${round}::int as n`,
            tx`select ${round}::int + 1 as n`,
            tx`select ${round}::int + 2 as n`,
          ]);
          // It may fail while the kill below is still awaited, before anything awaits it.
          batch.catch(() => {});
          await db.sql`select pg_terminate_backend(${me?.pid})`;
          await batch;
        }).catch((e: { code?: string }) => e.code);
        const queued = Promise.allSettled(
          Array.from({ length: 3 }, () => asService(pool, (tx) => tx`select current_user`)),
        );
        // How the loss shows depends on what the socket saw first.
        expect(await killed).toMatch(/^(57P01|CONNECTION_CLOSED|ECONNRESET|EPIPE)$/);
        const waited = await queued;
        // On a reserved connection the loss ends only the transaction that had it; through
        // postgres.js's begin, one queued behind it may fail as well.
        const lost = waited.filter((w) => w.status === 'rejected').length;
        expect(lost).toBeLessThanOrEqual(reserve ? 0 : 1);
        const [row] = await asService(pool, (tx) => tx`select current_user`);
        expect(row?.current_user).toBe('service_role');
      }
    } finally {
      await pool.end();
    }
  });

  it('queryAsUser runs one statement as the caller, and commits it', async () => {
    await db.sql`drop table if exists public.one_probe`;
    await db.sql`create table public.one_probe (v text, who uuid default auth.uid())`;
    await db.sql`grant insert, select on public.one_probe to authenticated`;
    const claims = { sub, role: 'authenticated' as const };
    const [row] = await queryAsUser(
      db.sql,
      claims,
      (tx) => tx`insert into public.one_probe (v) values ('kept') returning v, who, current_user`,
    );
    expect(row).toEqual({ v: 'kept', who: sub, current_user: 'authenticated' });
    const failed = await queryAsUser(
      db.sql,
      claims,
      (tx) => tx`insert into public.one_probe (v) select 'lost' where 1 / 0 = 1`,
    ).catch((e: { code?: string }) => e.code);
    expect(failed).toBe('22012');
    const rows = await db.sql`select v from public.one_probe`;
    expect(rows.map((r) => r.v)).toEqual(['kept']);
    const [after] = await asService(db.sql, (tx) => tx`select current_user`);
    expect(after?.current_user).toBe('service_role');
  });

  it('asService runs as service_role', async () => {
    const [row] = await asService(db.sql, (tx) => tx`select current_user, auth.role() as role`);
    expect(row).toEqual({ current_user: 'service_role', role: 'service_role' });
  });
});

describe('test databases', () => {
  it('are isolated: what one file writes, another never sees', async () => {
    expect(db.name).not.toBe(other.name);
    await db.sql`create table public.isolation_probe (v text)`;
    await db.sql`insert into public.isolation_probe values ('mine')`;
    const [seen] = await other.sql`select to_regclass('public.isolation_probe') as t`;
    expect(seen?.t).toBeNull();
    const [here] = await db.sql`select current_database() as d`;
    expect(here?.d).toBe(db.name);
  });
});
