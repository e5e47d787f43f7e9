import { describe, expect, it } from 'vitest';
import type { Tx } from '../../shared/db/client.ts';
import { useTestDatabase } from '../helpers/db.ts';

const db = useTestDatabase();

/**
 * Lints the schema for the mistakes that quietly open a Supabase database to its users:
 * - a table in `public` (exposed by the Data API) without RLS, or with RLS but no policy;
 * - a foreign key in `public` whose columns lead no (non-partial) index;
 * - a security definer function in `public` or `private` without a pinned search_path, or
 *   executable by anon;
 * - a security definer function in a schema the Data API exposes (`public`, `graphql_public`)
 *   that `authenticated` may execute: anyone signed in could call it over REST;
 * - more than one permissive policy on a table for one role and command (they are OR-ed, so
 *   each is evaluated for every row: slower, and harder to read as one rule);
 * - an INSERT, UPDATE, DELETE (or ALL) policy in `public` whose USING or WITH CHECK is
 *   `true`, literally or as a constant expression that evaluates to true.
 * Returns one line per finding, sorted; an empty list is a clean schema.
 */
async function lintSchema(tx: Tx): Promise<string[]> {
  const findings: string[] = [];

  const tables = await tx`
    select format('%I.%I', n.nspname, c.relname) as t,
           c.relrowsecurity as rls,
           exists (select 1 from pg_policy p where p.polrelid = c.oid) as has_policy
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relkind in ('r', 'p')`;
  for (const t of tables) {
    if (!t.rls) findings.push(`table without RLS: ${t.t}`);
    if (!t.has_policy) findings.push(`table without policies: ${t.t}`);
  }

  // An index serves a foreign key when the key's columns, in any order, are its leading key
  // columns; a partial index does not, since it misses rows.
  const fks = await tx`
    select format('%I.%I', n.nspname, cl.relname) || ' (' || (
             select string_agg(a.attname, ', ' order by k.ord)
               from unnest(c.conkey) with ordinality as k (attnum, ord)
               join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum) || ')' as fk
      from pg_constraint c
      join pg_class cl on cl.oid = c.conrelid
      join pg_namespace n on n.oid = cl.relnamespace
     where c.contype = 'f' and n.nspname = 'public'
       and not exists (
         select 1 from pg_index i
          where i.indrelid = c.conrelid
            and i.indpred is null
            and i.indnkeyatts >= cardinality(c.conkey)
            and (i.indkey::int2[])[0:cardinality(c.conkey) - 1] @> c.conkey
            and (i.indkey::int2[])[0:cardinality(c.conkey) - 1] <@ c.conkey)`;
  for (const f of fks) findings.push(`foreign key without index: ${f.fk}`);

  const definers = await tx`
    select format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)) as f,
           exists (select 1 from unnest(p.proconfig) s where s like 'search_path=%') as pinned,
           has_function_privilege('anon', p.oid, 'execute') as anon
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname in ('public', 'private') and p.prosecdef`;
  for (const d of definers) {
    if (!d.pinned) findings.push(`security definer without search_path: ${d.f}`);
    if (d.anon) findings.push(`security definer executable by anon: ${d.f}`);
  }

  const exposed = await tx`
    select format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)) as f
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname in ('public', 'graphql_public') and p.prosecdef
       and has_function_privilege('authenticated', p.oid, 'execute')`;
  for (const e of exposed) findings.push(`security definer callable over the Data API: ${e.f}`);

  // Permissive policies per table, role and command: PUBLIC stands for each API role, ALL for
  // each command. Restrictive policies are AND-ed, so any number of them is fine.
  const permissive = await tx`
    select format('%I.%I', n.nspname, c.relname) as t, r.role, k.cmd,
           string_agg(pol.polname, ', ' order by pol.polname) as names
      from pg_policy pol
      join pg_class c on c.oid = pol.polrelid
      join pg_namespace n on n.oid = c.relnamespace
      cross join lateral (
        select coalesce(g.rolname, x.rolname) as role
          from unnest(pol.polroles) as o (oid)
          left join pg_roles g on g.oid = o.oid
          left join lateral (values ('anon'), ('authenticated')) as x (rolname) on o.oid = 0
      ) as r
      cross join lateral unnest(case pol.polcmd
        when '*' then array['select', 'insert', 'update', 'delete']
        when 'r' then array['select'] when 'a' then array['insert']
        when 'w' then array['update'] else array['delete'] end) as k (cmd)
     where n.nspname = 'public' and pol.polpermissive
     group by 1, 2, 3
    having count(*) > 1`;
  for (const p of permissive) {
    findings.push(`multiple permissive policies: ${p.t} for ${p.role} ${p.cmd} (${p.names})`);
  }

  // A node tree with no column, parameter, function or subquery in it is a constant: only
  // those are evaluated, so evaluating cannot read data or call anything.
  const policies = await tx`
    select format('%I.%I', n.nspname, c.relname) || ' ' || quote_ident(pol.polname) as p,
           e.which, e.expr,
           e.tree !~ '\\{(VAR|PARAM|FUNCEXPR|SUBLINK|AGGREF|WINDOWFUNC) ' as constant
      from pg_policy pol
      join pg_class c on c.oid = pol.polrelid
      join pg_namespace n on n.oid = c.relnamespace
      cross join lateral (values
        ('using', pg_get_expr(pol.polqual, pol.polrelid), pol.polqual::text),
        ('with check', pg_get_expr(pol.polwithcheck, pol.polrelid), pol.polwithcheck::text)
      ) as e (which, expr, tree)
     where n.nspname = 'public' and pol.polcmd in ('a', 'w', 'd', '*') and e.expr is not null`;
  for (const p of policies) {
    let alwaysTrue = p.expr.trim() === 'true';
    if (!alwaysTrue && p.constant) {
      // A savepoint, so an expression that errors (1/0 = 1) cannot abort the caller's transaction.
      const [r] = await tx
        .savepoint((sp) => sp.unsafe(`select coalesce((${p.expr})::boolean, false) as v`))
        .catch(() => [{ v: false }]);
      alwaysTrue = r?.v === true;
    }
    if (alwaysTrue) findings.push(`write policy that is always true: ${p.p} (${p.which})`);
  }

  return findings.sort();
}

/** Thrown to undo a transaction once the lint has looked at it. */
class Rollback extends Error {}

/** Runs `fn`, then the lint, in one transaction that is always rolled back. */
async function lintAfter(fn: (tx: Tx) => Promise<unknown>): Promise<string[]> {
  let findings: string[] = [];
  try {
    await db.sql.begin(async (tx) => {
      await fn(tx);
      findings = await lintSchema(tx);
      throw new Rollback();
    });
  } catch (err) {
    if (!(err instanceof Rollback)) throw err;
  }
  return findings;
}

describe('schema lint', () => {
  it('finds nothing wrong with the migrated schema', async () => {
    expect(await lintAfter(async () => {})).toEqual([]);
  });

  // Proves the lint can fail: each rule is shown a bad object (and a near miss it must
  // accept), in `public` / `private` themselves, inside a transaction that is rolled back.
  it('reports every kind of deliberately bad object, and nothing more', async () => {
    const findings = await lintAfter(async (tx) => {
      await tx.unsafe(`
        create table public.lint_no_rls (id int primary key);

        create table public.lint_no_policies (id int primary key);
        alter table public.lint_no_policies enable row level security;

        create table public.lint_parent (id int primary key, a int, b int, unique (a, b));
        alter table public.lint_parent enable row level security;
        -- A read-everything policy is not a write policy: accepted.
        create policy lint_parent_select on public.lint_parent for select to authenticated using (true);

        create table public.lint_child (
          id int primary key,
          p_unindexed int references public.lint_parent (id),
          p_trailing int references public.lint_parent (id),
          p_partial int references public.lint_parent (id),
          p_ok int references public.lint_parent (id),
          pa int, pb int, foreign key (pa, pb) references public.lint_parent (a, b),
          qa int, qb int, foreign key (qa, qb) references public.lint_parent (a, b)
        );
        create index on public.lint_child (id, p_trailing);
        create index on public.lint_child (p_partial) where p_partial is not null;
        create index on public.lint_child (p_ok);
        create index on public.lint_child (pb, pa, id);
        create index on public.lint_child (qa);
        alter table public.lint_child enable row level security;
        create policy lint_insert on public.lint_child for insert to authenticated with check (true);
        create policy lint_update on public.lint_child for update to authenticated
          using (true) with check (id > 0);
        create policy lint_update_const on public.lint_child for update to authenticated
          using (id > 0) with check ((1 = 1) and not false);
        create policy lint_delete on public.lint_child for delete to authenticated using ((true));
        create policy lint_all on public.lint_child for all to authenticated
          using (id > 0) with check (true);
        create policy lint_delete_ok on public.lint_child for delete to authenticated
          using (id = 1 or 1 = 0);
        create policy lint_insert_errors on public.lint_child for insert to authenticated
          with check (1 / 0 = 1);

        create function public.lint_definer_no_path() returns int
          language sql security definer as 'select 1';
        revoke execute on function public.lint_definer_no_path() from public, anon;

        -- Executable by anon through PUBLIC, the default for a new function.
        create function private.lint_definer_public() returns int
          language sql security definer set search_path = '' as 'select 1';

        create function private.lint_definer_anon() returns int
          language sql security definer set search_path = '' as 'select 1';
        revoke execute on function private.lint_definer_anon() from public;
        grant execute on function private.lint_definer_anon() to anon;

        create function private.lint_definer_ok(x int) returns int
          language sql security definer set search_path = '' as 'select x';
        revoke execute on function private.lint_definer_ok(int) from public, anon;

        -- Invoker rights: neither rule applies.
        create function private.lint_invoker() returns int language sql as 'select 1';

        -- Exposed to signed-in users over REST; the same function in private is fine.
        create function public.lint_definer_exposed() returns int
          language sql security definer set search_path = '' as 'select 1';
        revoke execute on function public.lint_definer_exposed() from public, anon;
        grant execute on function public.lint_definer_exposed() to authenticated;
        create schema graphql_public;
        create function graphql_public.lint_definer_graphql() returns int
          language sql security definer set search_path = '' as 'select 1';
        revoke execute on function graphql_public.lint_definer_graphql() from public, anon;
        grant execute on function graphql_public.lint_definer_graphql() to authenticated;
        create function private.lint_definer_private() returns int
          language sql security definer set search_path = '' as 'select 1';
        revoke execute on function private.lint_definer_private() from public, anon;
        grant execute on function private.lint_definer_private() to authenticated;

        -- Two permissive SELECT policies for authenticated (one through ALL, one through
        -- PUBLIC); a restrictive one and another role's do not count.
        create table public.lint_policies (id int primary key);
        alter table public.lint_policies enable row level security;
        create policy lint_read_own on public.lint_policies for select to authenticated
          using (id = 1);
        create policy lint_all_admin on public.lint_policies for all to authenticated
          using (id = 2) with check (id = 2);
        create policy lint_public on public.lint_policies for update using (id = 3);
        create policy lint_restrictive on public.lint_policies as restrictive for all
          to authenticated using (id > 0);
        create policy lint_auth_admin on public.lint_policies for select to supabase_auth_admin
          using (id = 4);
      `);
    });

    expect(findings).toEqual([
      'foreign key without index: public.lint_child (p_partial)',
      'foreign key without index: public.lint_child (p_trailing)',
      'foreign key without index: public.lint_child (p_unindexed)',
      'foreign key without index: public.lint_child (qa, qb)',
      'multiple permissive policies: public.lint_child for authenticated delete (lint_all, lint_delete, lint_delete_ok)',
      'multiple permissive policies: public.lint_child for authenticated insert (lint_all, lint_insert, lint_insert_errors)',
      'multiple permissive policies: public.lint_child for authenticated update (lint_all, lint_update, lint_update_const)',
      'multiple permissive policies: public.lint_policies for authenticated select (lint_all_admin, lint_read_own)',
      'multiple permissive policies: public.lint_policies for authenticated update (lint_all_admin, lint_public)',
      'security definer callable over the Data API: graphql_public.lint_definer_graphql()',
      'security definer callable over the Data API: public.lint_definer_exposed()',
      'security definer callable over the Data API: public.lint_definer_no_path()',
      'security definer executable by anon: private.lint_definer_anon()',
      'security definer executable by anon: private.lint_definer_public()',
      'security definer without search_path: public.lint_definer_no_path()',
      'table without RLS: public.lint_no_rls',
      'table without policies: public.lint_no_policies',
      'table without policies: public.lint_no_rls',
      'write policy that is always true: public.lint_child lint_all (with check)',
      'write policy that is always true: public.lint_child lint_delete (using)',
      'write policy that is always true: public.lint_child lint_insert (with check)',
      'write policy that is always true: public.lint_child lint_update (using)',
      'write policy that is always true: public.lint_child lint_update_const (with check)',
    ]);
  });
});
