import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../helpers/db.ts';

const db = useTestDatabase();

/** The identity tables; each must have RLS on and nothing more granted than listed. */
const TABLES: Record<string, Record<string, string[]>> = {
  'public.profiles': {
    authenticated: ['SELECT'],
    service_role: ['DELETE', 'INSERT', 'SELECT', 'UPDATE'],
  },
  // Inserts and updates are granted per column (see COLUMNS), so is_system stays the
  // database's own.
  'public.roles': {
    authenticated: ['DELETE', 'SELECT'],
    service_role: ['DELETE', 'SELECT'],
    supabase_auth_admin: ['SELECT'],
  },
  'public.permissions': {
    authenticated: ['DELETE', 'SELECT'],
    service_role: ['DELETE', 'SELECT'],
    supabase_auth_admin: ['SELECT'],
  },
  'public.role_permissions': {
    authenticated: ['DELETE', 'INSERT', 'SELECT'],
    service_role: ['DELETE', 'INSERT', 'SELECT'],
    supabase_auth_admin: ['SELECT'],
  },
  'public.app_clients': {
    authenticated: ['DELETE', 'SELECT'],
    service_role: ['DELETE', 'INSERT', 'SELECT', 'UPDATE'],
  },
  'public.app_client_roles': {
    authenticated: ['DELETE', 'INSERT', 'SELECT'],
    service_role: ['DELETE', 'INSERT', 'SELECT'],
  },
  'public.user_roles': {
    authenticated: ['DELETE', 'INSERT', 'SELECT'],
    service_role: ['DELETE', 'INSERT', 'SELECT'],
    supabase_auth_admin: ['SELECT'],
  },
  'public.audit_log': { authenticated: ['SELECT'], service_role: ['INSERT', 'SELECT'] },
  'private.rate_limits': {},
  'private.login_failures': {},
  'private.app_client_secrets': {},
  'private.app_token_revocations': {},
  'private.app_client_token_counts': {},
  'private.app_signing_keys': {},
};

/** Columns authenticated may insert and update, where the grant is per column. */
const COLUMNS: Record<string, { INSERT: string[]; UPDATE: string[] }> = {
  'public.roles': {
    INSERT: ['description', 'id', 'name', 'parent_id'],
    UPDATE: ['description', 'name', 'parent_id'],
  },
  'public.permissions': { INSERT: ['description', 'id', 'name'], UPDATE: ['description', 'name'] },
  'public.app_clients': {
    INSERT: [
      'allowed_scopes',
      'description',
      'enabled',
      'id',
      'name',
      'token_lifetime_seconds',
      'token_quota_per_hour',
    ],
    UPDATE: [
      'allowed_scopes',
      'description',
      'enabled',
      'name',
      'token_lifetime_seconds',
      'token_quota_per_hour',
    ],
  },
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

  it("grants inserts and updates column by column where a column is not the caller's", async () => {
    for (const [table, expected] of Object.entries(COLUMNS)) {
      const [schema, name] = table.split('.');
      const rows = await db.sql`
        select privilege_type as p, array_agg(column_name::text order by column_name) as cols
          from information_schema.column_privileges
         where table_schema = ${schema!} and table_name = ${name!} and grantee = 'authenticated'
           and privilege_type in ('INSERT', 'UPDATE')
         group by privilege_type`;
      expect(Object.fromEntries(rows.map((r) => [r.p, r.cols])), table).toEqual(expected);
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
