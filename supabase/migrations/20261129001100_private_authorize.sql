-- One authorization check for RLS, out of the Data API's reach, for users and app clients.
--
-- `public.authorize()` was a SECURITY DEFINER function in an exposed schema: anyone signed in
-- could call it over REST (`/rest/v1/rpc/authorize`) and probe which permissions they hold.
-- It moves to `private`, which the Data API does not serve; every policy, view and function
-- that called it now calls `private.authorize()`. Profiles had two permissive policies per
-- command (own row, admin permission); they become one each, with the same meaning.

-- Does the caller hold `permission` right now? Read from the tables, not the JWT, so a role
-- taken away stops working on the next statement. An app client is recognised by its token
-- (`client_id` equal to `sub`, as only the auth function issues them: a user token from an
-- OAuth client carries a `client_id` that is not its `sub`); its permissions come from
-- app_client_roles, narrowed to the token's `scope`, exactly as the API narrows them.
-- Wrap it in `(select ...)` in policies so it runs once per statement, not once per row.
create or replace function private.authorize(permission text)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select case
    when coalesce(auth.role() = 'service_role', false) then true
    when auth.jwt() ->> 'client_id' is not null
         and auth.jwt() ->> 'client_id' = auth.jwt() ->> 'sub' then
      authorize.permission = any (private.app_client_permissions((auth.jwt() ->> 'sub')::uuid))
      and authorize.permission = any (string_to_array(coalesce(auth.jwt() ->> 'scope', ''), ' '))
    else coalesce(authorize.permission = any (private.user_permissions(auth.uid())), false)
  end
$$;

comment on function private.authorize(text) is
  'True when the caller (a user, or an app client within its token scope) holds the permission now, or is service_role.';

revoke execute on function private.authorize(text) from public, anon;
grant execute on function private.authorize(text) to authenticated, service_role;

-- ---------------------------------------------------------------------------
-- Every policy that called public.authorize() now calls private.authorize(). Rewritten from
-- the catalogue with an empty search_path, so every name prints schema-qualified and the
-- replacement cannot touch anything but the function's own name.
-- ---------------------------------------------------------------------------
do $$
declare
  p record;
  q text;
  w text;
begin
  perform pg_catalog.set_config('search_path', '', true);
  for p in
    select n.nspname, c.relname, pol.polname,
           pg_catalog.pg_get_expr(pol.polqual, pol.polrelid) as qual,
           pg_catalog.pg_get_expr(pol.polwithcheck, pol.polrelid) as withcheck
      from pg_catalog.pg_policy pol
      join pg_catalog.pg_class c on c.oid = pol.polrelid
      join pg_catalog.pg_namespace n on n.oid = c.relnamespace
     where pg_catalog.pg_get_expr(pol.polqual, pol.polrelid) like '%public.authorize(%'
        or pg_catalog.pg_get_expr(pol.polwithcheck, pol.polrelid) like '%public.authorize(%'
  loop
    q := replace(p.qual, 'public.authorize(', 'private.authorize(');
    w := replace(p.withcheck, 'public.authorize(', 'private.authorize(');
    if q is not null then
      execute format('alter policy %I on %I.%I using (%s)', p.polname, p.nspname, p.relname, q);
    end if;
    if w is not null then
      execute format('alter policy %I on %I.%I with check (%s)', p.polname, p.nspname, p.relname, w);
    end if;
  end loop;
end;
$$;

-- Views and function bodies that call it are rewritten the same way, from their own current
-- definitions (so whatever an earlier migration last made of them is kept, and only the
-- function's name changes). A view keeps its options (security_barrier).
do $$
declare
  v record;
  f record;
begin
  perform pg_catalog.set_config('search_path', '', true);
  for v in
    select n.nspname, c.relname, pg_catalog.pg_get_viewdef(c.oid) as def,
           coalesce(' with (' || pg_catalog.array_to_string(c.reloptions, ', ') || ')', '') as opts
      from pg_catalog.pg_class c
      join pg_catalog.pg_namespace n on n.oid = c.relnamespace
     where c.relkind = 'v'
       and pg_catalog.pg_get_viewdef(c.oid) like '%public.authorize(%'
  loop
    execute format('create or replace view %I.%I%s as %s', v.nspname, v.relname, v.opts,
                   replace(v.def, 'public.authorize(', 'private.authorize('));
  end loop;
  for f in
    select p.oid
      from pg_catalog.pg_proc p
     where p.prosrc like '%public.authorize(%'
       and p.oid <> 'public.authorize(text)'::pg_catalog.regprocedure
       and p.pronamespace not in ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
  loop
    execute replace(pg_catalog.pg_get_functiondef(f.oid), 'public.authorize(', 'private.authorize(');
  end loop;
end;
$$;

-- Session functions ask the same question the same way, so an app client's permissions count.
create or replace function private.list_sessions(p_user_id uuid)
returns table (
  id uuid,
  user_id uuid,
  created_at timestamptz,
  updated_at timestamptz,
  refreshed_at timestamptz,
  user_agent text,
  ip inet,
  aal text,
  not_after timestamptz
)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if not (coalesce(p_user_id = auth.uid(), false) or private.authorize('sessions:read')) then
    raise exception 'not allowed to list this user''s sessions'
      using errcode = 'insufficient_privilege';
  end if;
  return query
  select s.id, s.user_id, s.created_at, s.updated_at,
         -- GoTrue stores refreshed_at as a UTC timestamp without time zone.
         s.refreshed_at at time zone 'UTC',
         s.user_agent, s.ip, s.aal::text, s.not_after
    from auth.sessions s
   where s.user_id = p_user_id
   order by s.created_at desc nulls last, s.id;
end;
$$;

create or replace function private.revoke_session(p_session_id uuid)
returns boolean
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_owner uuid;
begin
  select s.user_id into v_owner from auth.sessions s where s.id = p_session_id for update;
  if not found then
    return false;
  end if;
  if not (coalesce(v_owner = auth.uid(), false) or private.authorize('sessions:revoke')) then
    raise exception 'not allowed to revoke this session'
      using errcode = 'insufficient_privilege';
  end if;
  delete from auth.sessions s where s.id = p_session_id;
  return true;
end;
$$;

-- Fails the migration (and so refuses the drop below) if anything still names the old
-- function: policies and views are tracked by dependency, function bodies are checked here.
do $$
begin
  if exists (
    select 1 from pg_catalog.pg_proc p
     where p.prosrc like '%public.authorize(%'
       and p.pronamespace <> 'pg_catalog'::regnamespace
  ) then
    raise exception 'a function body still calls public.authorize()';
  end if;
end;
$$;

drop function public.authorize(text);

-- ---------------------------------------------------------------------------
-- profiles: one permissive policy per command for authenticated.
-- ---------------------------------------------------------------------------
drop policy profiles_select_own on public.profiles;
drop policy profiles_select_users_read on public.profiles;
drop policy profiles_update_own on public.profiles;
drop policy profiles_update_users_write on public.profiles;

-- A signed-in user sees their own profile; holders of users:read see every profile.
create policy profiles_select on public.profiles
  for select to authenticated
  using (id = (select auth.uid()) or (select private.authorize('users:read')));

-- A user edits their own profile (and cannot move it to another id); holders of users:write
-- edit any profile. Column grants and the is_active trigger limit what can change.
create policy profiles_update on public.profiles
  for update to authenticated
  using (id = (select auth.uid()) or (select private.authorize('users:write')))
  with check (id = (select auth.uid()) or (select private.authorize('users:write')));
