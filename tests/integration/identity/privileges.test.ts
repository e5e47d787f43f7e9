import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../helpers/db.ts';

const db = useTestDatabase();

/** The identity tables; each must have RLS on and nothing more granted than listed. */
const TABLES: Record<string, Record<string, string[]>> = {
  'public.profiles': {
    authenticated: ['SELECT'],
    service_role: ['DELETE', 'INSERT', 'SELECT', 'UPDATE'],
  },
  'public.roles': {
    authenticated: ['DELETE', 'INSERT', 'SELECT', 'UPDATE'],
    service_role: ['DELETE', 'INSERT', 'SELECT', 'UPDATE'],
    supabase_auth_admin: ['SELECT'],
  },
  'public.user_roles': {
    authenticated: ['DELETE', 'INSERT', 'SELECT'],
    service_role: ['DELETE', 'INSERT', 'SELECT'],
    supabase_auth_admin: ['SELECT'],
  },
  'public.audit_log': { authenticated: ['SELECT'], service_role: ['INSERT', 'SELECT'] },
  'private.rate_limits': {},
  'private.login_failures': {},
};

describe('least privilege on the identity schema', () => {
  it('grants each API role only what it needs, table by table', async () => {
    for (const [table, expected] of Object.entries(TABLES)) {
      const [schema, name] = table.split('.');
      const rows = await db.sql`
        select grantee, array_agg(privilege_type::text order by privilege_type) as privs
          from information_schema.role_table_grants
         where table_schema = ${schema!} and table_name = ${name!}
           and grantee in ('anon', 'authenticated', 'service_role', 'supabase_auth_admin', 'PUBLIC')
         group by grantee`;
      expect(Object.fromEntries(rows.map((r) => [r.grantee, r.privs])), table).toEqual(expected);
    }
  });

  it('has RLS enabled on every table in public and private', async () => {
    const rows = await db.sql`
      select n.nspname || '.' || c.relname as t from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname in ('public', 'private') and c.relkind = 'r' and not c.relrowsecurity`;
    expect(rows.map((r) => r.t)).toEqual([]);
  });

  it('indexes every foreign key (its columns lead some index)', async () => {
    const rows = await db.sql`
      select c.conrelid::regclass::text || ' ' || c.conname as fk
        from pg_constraint c join pg_namespace n on n.oid = c.connamespace
       where c.contype = 'f' and n.nspname in ('public', 'private')
         and not exists (
           select 1 from pg_index i
            where i.indrelid = c.conrelid
              and (i.indkey::int2[])[0:array_length(c.conkey, 1) - 1] @> c.conkey
              and (i.indkey::int2[])[0:array_length(c.conkey, 1) - 1] <@ c.conkey)`;
    expect(rows.map((r) => r.fk)).toEqual([]);
  });

  it('lets neither PUBLIC nor anon execute any private function', async () => {
    const rows = await db.sql`
      select p.oid::regprocedure::text as f from pg_proc p join pg_namespace n on n.oid = p.pronamespace
       where n.nspname = 'private'
         and (has_function_privilege('anon', p.oid, 'execute')
              or exists (select 1 from aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
                          where a.grantee = 0 and a.privilege_type = 'EXECUTE'))`;
    expect(rows.map((r) => r.f)).toEqual([]);
  });

  it('pins search_path to empty on every security definer function', async () => {
    const rows = await db.sql`
      select p.oid::regprocedure::text as f from pg_proc p join pg_namespace n on n.oid = p.pronamespace
       where n.nspname in ('public', 'private') and p.prosecdef
         and not coalesce('search_path=""' = any (p.proconfig), false)`;
    expect(rows.map((r) => r.f)).toEqual([]);
  });
});
