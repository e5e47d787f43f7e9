-- Role-based access control: roles (with inheritance), permissions `resource:action`,
-- role_permissions, user_roles; `public.authorize()` for RLS; the custom access token hook
-- that copies roles and permissions into user JWTs; the admin policies on profiles.

create table public.roles (
  id          uuid primary key default gen_random_uuid(),
  name        text not null unique
                constraint roles_name_format check (name ~ '^[a-z][a-z0-9_-]{1,49}$'),
  description text constraint roles_description_length check (char_length(description) <= 500),
  -- A role has its own permissions plus its parent's, recursively. Deleting a parent drops
  -- what children inherited from it (the fail-safe direction), rather than the children.
  parent_id   uuid references public.roles (id) on delete set null,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  constraint roles_not_own_parent check (parent_id is distinct from id)
);

create index roles_parent_id_idx on public.roles (parent_id);

create table public.permissions (
  id          uuid primary key default gen_random_uuid(),
  name        text not null unique
                constraint permissions_name_format check (name ~ '^[a-z_]+:[a-z_*]+$'),
  description text constraint permissions_description_length check (char_length(description) <= 500),
  created_at  timestamptz not null default now()
);

create table public.role_permissions (
  role_id       uuid not null references public.roles (id) on delete cascade,
  permission_id uuid not null references public.permissions (id) on delete cascade,
  primary key (role_id, permission_id)
);

-- role_id is the primary key's leading column; permission_id needs its own index.
create index role_permissions_permission_id_idx on public.role_permissions (permission_id);

create table public.user_roles (
  user_id    uuid not null references auth.users (id) on delete cascade,
  role_id    uuid not null references public.roles (id) on delete cascade,
  -- Who granted it; no foreign key, so the record survives the granter's deletion.
  granted_by uuid default auth.uid(),
  granted_at timestamptz not null default now(),
  primary key (user_id, role_id)
);

create index user_roles_role_id_idx on public.user_roles (role_id);

create trigger roles_set_updated_at
  before update on public.roles
  for each row execute function public.set_updated_at();

-- ---------------------------------------------------------------------------
-- Hierarchy and core-role guards.
-- ---------------------------------------------------------------------------

-- A role may not be its own ancestor. Security definer so the walk sees every role even
-- when the caller's RLS would hide some; the advisory lock serializes hierarchy changes so
-- two concurrent updates (A under B, B under A) cannot each pass the check and form a cycle.
create or replace function private.roles_prevent_cycle()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.parent_id is null then
    return new;
  end if;
  perform pg_catalog.pg_advisory_xact_lock(8_402_117_390);
  if exists (
    with recursive ancestors as (
      select r.id, r.parent_id from public.roles r where r.id = new.parent_id
      union
      select r.id, r.parent_id from public.roles r join ancestors a on r.id = a.parent_id
    )
    select 1 from ancestors where id = new.id
  ) then
    raise exception 'role % would become its own ancestor', new.name
      using errcode = 'check_violation', constraint = 'roles_no_cycle';
  end if;
  return new;
end;
$$;

revoke execute on function private.roles_prevent_cycle() from public, anon, authenticated, service_role;

create trigger roles_prevent_cycle
  before insert or update of parent_id on public.roles
  for each row execute function private.roles_prevent_cycle();

-- The core roles `user` and `admin` are referenced by name (sign-up, initial admin): they
-- can be re-described or re-parented, but not renamed or deleted.
create or replace function private.roles_protect_core()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if old.name in ('user', 'admin') and (tg_op = 'DELETE' or new.name <> old.name) then
    raise exception 'core role % cannot be renamed or deleted', old.name
      using errcode = 'insufficient_privilege';
  end if;
  return case when tg_op = 'DELETE' then old else new end;
end;
$$;

revoke execute on function private.roles_protect_core() from public, anon, authenticated, service_role;

create trigger roles_protect_core
  before update of name or delete on public.roles
  for each row execute function private.roles_protect_core();

-- ---------------------------------------------------------------------------
-- Seeds: idempotent, so re-running the file (or a later migration adding more) is safe.
-- ---------------------------------------------------------------------------
insert into public.roles (name, description) values
  ('user', 'Every signed-up user. Acts on their own rows through RLS.')
on conflict (name) do nothing;

insert into public.roles (name, description, parent_id)
select 'admin', 'Administrators: every permission, plus everything user has.', r.id
  from public.roles r where r.name = 'user'
on conflict (name) do nothing;

insert into public.permissions (name, description) values
  ('users:read', 'Read every profile'),
  ('users:write', 'Edit every profile, including deactivating it'),
  ('users:delete', 'Delete users'),
  ('sessions:read', 'List any user''s sessions'),
  ('sessions:revoke', 'Revoke any user''s sessions'),
  ('roles:read', 'Read roles, permissions and role assignments'),
  ('roles:write', 'Create, edit and assign roles'),
  ('permissions:read', 'Read permissions'),
  ('permissions:write', 'Create and edit permissions'),
  ('app_clients:read', 'Read app clients'),
  ('app_clients:write', 'Create, edit and rotate app clients'),
  ('audit:read', 'Read the audit log'),
  ('projects:read_all', 'Read every project'),
  ('projects:write_all', 'Edit every project')
on conflict (name) do nothing;

insert into public.role_permissions (role_id, permission_id)
select r.id, p.id
  from public.roles r cross join public.permissions p
 where r.name = 'admin'
   and p.name in (
     'users:read', 'users:write', 'users:delete', 'sessions:read', 'sessions:revoke',
     'roles:read', 'roles:write', 'permissions:read', 'permissions:write',
     'app_clients:read', 'app_clients:write', 'audit:read',
     'projects:read_all', 'projects:write_all')
on conflict do nothing;

-- ---------------------------------------------------------------------------
-- Effective roles and permissions.
-- ---------------------------------------------------------------------------

-- The user's roles plus every ancestor of them, distinct and sorted. `union` (not
-- `union all`) also makes the walk terminate should a cycle ever slip in.
create or replace function private.user_roles_flat(uid uuid)
returns text[]
language sql
stable
security definer
set search_path = ''
as $$
  with recursive effective as (
    select r.id, r.name, r.parent_id
      from public.user_roles ur join public.roles r on r.id = ur.role_id
     where ur.user_id = uid
    union
    select p.id, p.name, p.parent_id
      from public.roles p join effective e on p.id = e.parent_id
  )
  select coalesce(array_agg(distinct e.name order by e.name), '{}'::text[]) from effective e
$$;

-- Every permission of every effective role, distinct and sorted.
create or replace function private.user_permissions(uid uuid)
returns text[]
language sql
stable
security definer
set search_path = ''
as $$
  with recursive effective as (
    select r.id, r.parent_id
      from public.user_roles ur join public.roles r on r.id = ur.role_id
     where ur.user_id = uid
    union
    select p.id, p.parent_id
      from public.roles p join effective e on p.id = e.parent_id
  )
  select coalesce(array_agg(distinct pm.name order by pm.name), '{}'::text[])
    from effective e
    join public.role_permissions rp on rp.role_id = e.id
    join public.permissions pm on pm.id = rp.permission_id
$$;

-- Only the API's service door asks about an arbitrary user; RLS goes through authorize().
revoke execute on function private.user_roles_flat(uuid) from public, anon, authenticated;
revoke execute on function private.user_permissions(uuid) from public, anon, authenticated;
grant execute on function private.user_roles_flat(uuid) to service_role;
grant execute on function private.user_permissions(uuid) to service_role;

-- For RLS policies: does the caller hold `permission` right now? Read from the tables, not
-- the JWT, so revoking a role takes effect on the next statement, not at token expiry.
-- Wrap it in `(select ...)` in policies so it runs once per statement, not once per row.
create or replace function public.authorize(permission text)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(auth.role() = 'service_role', false)
      or authorize.permission = any (private.user_permissions(auth.uid()))
$$;

comment on function public.authorize(text) is
  'True when the caller (auth.uid()) effectively holds the permission, or is service_role.';

revoke execute on function public.authorize(text) from public, anon;
grant execute on function public.authorize(text) to authenticated, service_role;

-- ---------------------------------------------------------------------------
-- Every new user starts with the `user` role.
-- ---------------------------------------------------------------------------

-- Runs beside private.handle_new_user() (profiles migration): the role grant lives here
-- because the RBAC tables do not exist before this migration.
create or replace function private.grant_default_role()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.user_roles (user_id, role_id, granted_by)
  select new.id, r.id, null from public.roles r where r.name = 'user'
  on conflict do nothing;
  return new;
end;
$$;

revoke execute on function private.grant_default_role() from public, anon, authenticated, service_role;

-- Every new auth user holds `user` from the moment it exists.
create trigger on_auth_user_created_grant_role
  after insert on auth.users
  for each row execute function private.grant_default_role();

-- ---------------------------------------------------------------------------
-- Privileges and RLS on the RBAC tables.
-- ---------------------------------------------------------------------------
alter table public.roles enable row level security;
alter table public.permissions enable row level security;
alter table public.role_permissions enable row level security;
alter table public.user_roles enable row level security;

revoke all on table public.roles, public.permissions, public.role_permissions, public.user_roles
  from anon, authenticated, service_role;
grant select, insert, update, delete on table public.roles, public.permissions, public.role_permissions
  to authenticated, service_role;
-- An assignment is granted or revoked, never edited in place.
grant select, insert, delete on table public.user_roles to authenticated, service_role;

-- Holders of roles:read see the roles.
create policy roles_select on public.roles
  for select to authenticated
  using ((select public.authorize('roles:read')));

-- Only roles:write creates roles.
create policy roles_insert on public.roles
  for insert to authenticated
  with check ((select public.authorize('roles:write')));

-- Only roles:write edits roles.
create policy roles_update on public.roles
  for update to authenticated
  using ((select public.authorize('roles:write')))
  with check ((select public.authorize('roles:write')));

-- Only roles:write deletes roles.
create policy roles_delete on public.roles
  for delete to authenticated
  using ((select public.authorize('roles:write')));

-- Holders of roles:read or permissions:read see the permissions.
create policy permissions_select on public.permissions
  for select to authenticated
  using ((select public.authorize('roles:read')) or (select public.authorize('permissions:read')));

-- Only permissions:write creates permissions.
create policy permissions_insert on public.permissions
  for insert to authenticated
  with check ((select public.authorize('permissions:write')));

-- Only permissions:write edits permissions.
create policy permissions_update on public.permissions
  for update to authenticated
  using ((select public.authorize('permissions:write')))
  with check ((select public.authorize('permissions:write')));

-- Only permissions:write deletes permissions.
create policy permissions_delete on public.permissions
  for delete to authenticated
  using ((select public.authorize('permissions:write')));

-- Holders of roles:read see which permissions each role has.
create policy role_permissions_select on public.role_permissions
  for select to authenticated
  using ((select public.authorize('roles:read')));

-- Giving a role a permission is editing the role: roles:write.
create policy role_permissions_insert on public.role_permissions
  for insert to authenticated
  with check ((select public.authorize('roles:write')));

-- Changing a role's permissions needs roles:write.
create policy role_permissions_update on public.role_permissions
  for update to authenticated
  using ((select public.authorize('roles:write')))
  with check ((select public.authorize('roles:write')));

-- Taking a permission from a role needs roles:write.
create policy role_permissions_delete on public.role_permissions
  for delete to authenticated
  using ((select public.authorize('roles:write')));

-- A user sees their own role assignments; roles:read sees everyone's.
create policy user_roles_select on public.user_roles
  for select to authenticated
  using (user_id = (select auth.uid()) or (select public.authorize('roles:read')));

-- Only roles:write assigns roles (to anyone, themselves included).
create policy user_roles_insert on public.user_roles
  for insert to authenticated
  with check ((select public.authorize('roles:write')));

-- Only roles:write removes role assignments.
create policy user_roles_delete on public.user_roles
  for delete to authenticated
  using ((select public.authorize('roles:write')));

-- ---------------------------------------------------------------------------
-- Admin access to profiles (needs authorize(), hence here and not in the profiles file).
-- ---------------------------------------------------------------------------

-- Holders of users:read see every profile.
create policy profiles_select_users_read on public.profiles
  for select to authenticated
  using ((select public.authorize('users:read')));

-- Holders of users:write edit any profile.
create policy profiles_update_users_write on public.profiles
  for update to authenticated
  using ((select public.authorize('users:write')))
  with check ((select public.authorize('users:write')));

-- is_active is writable by authenticated only so that users:write can deactivate someone
-- through RLS; the trigger below stops everyone else from flipping it (their own included).
grant update (is_active) on table public.profiles to authenticated;

create or replace function private.profiles_guard_is_active()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.is_active is distinct from old.is_active
     and current_user in ('anon', 'authenticated')
     and not public.authorize('users:write') then
    raise exception 'only users:write may change is_active'
      using errcode = 'insufficient_privilege';
  end if;
  return new;
end;
$$;

revoke execute on function private.profiles_guard_is_active() from public, anon, authenticated, service_role;

-- Only users:write (or the service role) activates or deactivates a profile.
create trigger profiles_guard_is_active
  before update of is_active on public.profiles
  for each row execute function private.profiles_guard_is_active();

-- ---------------------------------------------------------------------------
-- Custom access token hook (Supabase Auth calls it as supabase_auth_admin on every token).
-- ---------------------------------------------------------------------------

-- Keeps every claim it gets and adds `roles` and `permissions` (text[]). A JWT travels in
-- every request header, so permissions are capped at 2 KB serialized: above that they are
-- left out and `permissions_overflow: true` tells the API to load them from the database.
-- Invoker rights, as Supabase's RBAC guide does it: supabase_auth_admin reads the tables
-- through the grants and policies below, so the hook cannot reach anything else.
create or replace function public.custom_access_token_hook(event jsonb)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  claims      jsonb := coalesce(event -> 'claims', '{}'::jsonb);
  uid         uuid := (event ->> 'user_id')::uuid;
  role_names  text[];
  perm_names  text[];
  perms_json  jsonb;
begin
  with recursive effective as (
    select r.id, r.name, r.parent_id
      from public.user_roles ur join public.roles r on r.id = ur.role_id
     where ur.user_id = uid
    union
    select p.id, p.name, p.parent_id
      from public.roles p join effective e on p.id = e.parent_id
  )
  select
    coalesce((select array_agg(distinct e.name order by e.name) from effective e), '{}'::text[]),
    coalesce((
      select array_agg(distinct pm.name order by pm.name)
        from effective e
        join public.role_permissions rp on rp.role_id = e.id
        join public.permissions pm on pm.id = rp.permission_id
    ), '{}'::text[])
  into role_names, perm_names;

  perms_json := to_jsonb(perm_names);
  claims := jsonb_set(claims, '{roles}', to_jsonb(role_names));
  if octet_length(perms_json::text) > 2048 then
    claims := (claims - 'permissions') || jsonb_build_object('permissions_overflow', true);
  else
    claims := (claims - 'permissions_overflow') || jsonb_build_object('permissions', perms_json);
  end if;
  return jsonb_build_object('claims', claims);
end;
$$;

comment on function public.custom_access_token_hook(jsonb) is
  'Supabase Auth custom access token hook: adds roles and permissions claims.';

-- Only Supabase Auth runs the hook; nobody can call it over the Data API.
grant usage on schema public to supabase_auth_admin;
grant execute on function public.custom_access_token_hook(jsonb) to supabase_auth_admin;
revoke execute on function public.custom_access_token_hook(jsonb)
  from public, anon, authenticated, service_role;

grant select on table public.roles, public.permissions, public.role_permissions, public.user_roles
  to supabase_auth_admin;

-- Supabase Auth reads every assignment to build tokens.
create policy user_roles_auth_admin_select on public.user_roles
  for select to supabase_auth_admin
  using (true);

-- Supabase Auth reads every role to walk the hierarchy.
create policy roles_auth_admin_select on public.roles
  for select to supabase_auth_admin
  using (true);

-- Supabase Auth reads every role's permissions.
create policy role_permissions_auth_admin_select on public.role_permissions
  for select to supabase_auth_admin
  using (true);

-- Supabase Auth reads every permission name.
create policy permissions_auth_admin_select on public.permissions
  for select to supabase_auth_admin
  using (true);
