-- RBAC managed through the admin API: one permission (`rbac:manage`) to change roles,
-- permissions, assignments and app clients; system roles and permissions that code relies on
-- are protected; the last holder of rbac:manage cannot be removed; app clients get their
-- policies, including the MFA restrictive one.

-- ---------------------------------------------------------------------------
-- Permissions: rbac:manage replaces roles:write, permissions:write and app_clients:write.
-- ---------------------------------------------------------------------------
insert into public.permissions (name, description) values
  ('rbac:manage', 'Create, change and delete roles, permissions, role assignments and app clients')
on conflict (name) do nothing;

insert into public.role_permissions (role_id, permission_id)
select r.id, p.id from public.roles r, public.permissions p
 where r.name = 'admin' and p.name = 'rbac:manage'
on conflict do nothing;

delete from public.permissions where name in ('roles:write', 'permissions:write', 'app_clients:write');

-- ---------------------------------------------------------------------------
-- System roles and permissions: code refers to them by name, so they are never renamed or
-- deleted. Refusals carry a constraint name, which the API answers with 409.
-- ---------------------------------------------------------------------------
alter table public.roles add column is_system boolean not null default false;
alter table public.permissions add column is_system boolean not null default false;

update public.roles set is_system = true where name in ('user', 'admin');
update public.permissions set is_system = true;

drop trigger roles_protect_core on public.roles;
drop function private.roles_protect_core();

create or replace function private.protect_system_rows()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if not old.is_system or (tg_op = 'UPDATE' and new.name = old.name) then
    return case when tg_op = 'DELETE' then old else new end;
  end if;
  if tg_table_name = 'roles' then
    raise exception 'system role % cannot be renamed or deleted', old.name
      using errcode = 'check_violation', constraint = 'roles_system';
  end if;
  raise exception 'system permission % cannot be renamed or deleted', old.name
    using errcode = 'check_violation', constraint = 'permissions_system';
end;
$$;

revoke execute on function private.protect_system_rows() from public, anon, authenticated, service_role;

create trigger roles_protect_system
  before update of name or delete on public.roles
  for each row execute function private.protect_system_rows();

create trigger permissions_protect_system
  before update of name or delete on public.permissions
  for each row execute function private.protect_system_rows();

-- is_system is the database's to set: API roles write only the columns a person edits.
revoke insert, update on table public.roles, public.permissions from authenticated, service_role;
grant insert (id, name, description, parent_id), update (name, description, parent_id)
  on table public.roles to authenticated, service_role;
grant insert (id, name, description), update (name, description)
  on table public.permissions to authenticated, service_role;
-- A role's permission is granted or taken away, never edited in place.
revoke update on table public.role_permissions from authenticated, service_role;
drop policy role_permissions_update on public.role_permissions;

-- ---------------------------------------------------------------------------
-- The last holder of rbac:manage. A statement that removes an assignment, a role's
-- permission, a role or an inheritance link may not leave nobody able to manage RBAC when
-- somebody could before it. Statement triggers push "was there a holder?" before and check
-- after; a stack, because one statement can cascade into another on the same tables. The
-- advisory lock serializes such statements, so two removals of the last two holders cannot
-- each see the other still there.
-- ---------------------------------------------------------------------------
create or replace function private.rbac_managers_exist()
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  with recursive conferring as (
    select rp.role_id as id
      from public.role_permissions rp
      join public.permissions p on p.id = rp.permission_id
     where p.name = 'rbac:manage'
    union
    select r.id from public.roles r join conferring c on r.parent_id = c.id
  )
  select exists (select 1 from public.user_roles ur join conferring c on c.id = ur.role_id)
$$;

create or replace function private.rbac_guard_before()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform pg_catalog.pg_advisory_xact_lock(8_402_117_391);
  perform pg_catalog.set_config(
    'rbac.managers_before',
    coalesce(pg_catalog.current_setting('rbac.managers_before', true), '')
      || case when private.rbac_managers_exist() then '1' else '0' end,
    true);
  return null;
end;
$$;

create or replace function private.rbac_guard_after()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  stack text := coalesce(pg_catalog.current_setting('rbac.managers_before', true), '');
begin
  perform pg_catalog.set_config('rbac.managers_before', left(stack, -1), true);
  if right(stack, 1) = '1' and not private.rbac_managers_exist() then
    raise exception 'the last holder of rbac:manage cannot be removed'
      using errcode = 'check_violation', constraint = 'rbac_manage_last_holder';
  end if;
  return null;
end;
$$;

-- Is this user the only one holding rbac:manage? Deleting their account would be refused by
-- the guard above from inside Supabase Auth; the API asks first, to answer 409 itself.
create or replace function private.sole_rbac_manager(p_user uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  with recursive conferring as (
    select rp.role_id as id
      from public.role_permissions rp
      join public.permissions p on p.id = rp.permission_id
     where p.name = 'rbac:manage'
    union
    select r.id from public.roles r join conferring c on r.parent_id = c.id
  ),
  holders as (
    select distinct ur.user_id from public.user_roles ur join conferring c on c.id = ur.role_id
  )
  select coalesce(array_agg(h.user_id) = array[p_user], false) from holders h
$$;

revoke execute on function
  private.rbac_managers_exist(), private.rbac_guard_before(), private.rbac_guard_after()
  from public, anon, authenticated, service_role;
revoke execute on function private.sole_rbac_manager(uuid) from public, anon;
grant execute on function private.sole_rbac_manager(uuid) to authenticated, service_role;

create trigger user_roles_guard_before before delete on public.user_roles
  for each statement execute function private.rbac_guard_before();
create trigger user_roles_guard_after after delete on public.user_roles
  for each statement execute function private.rbac_guard_after();
create trigger role_permissions_guard_before before delete on public.role_permissions
  for each statement execute function private.rbac_guard_before();
create trigger role_permissions_guard_after after delete on public.role_permissions
  for each statement execute function private.rbac_guard_after();
create trigger roles_guard_before before delete or update of parent_id on public.roles
  for each statement execute function private.rbac_guard_before();
create trigger roles_guard_after after delete or update of parent_id on public.roles
  for each statement execute function private.rbac_guard_after();

-- ---------------------------------------------------------------------------
-- RBAC policies: reading needs roles:read (permissions:read for the catalogue), changing
-- needs rbac:manage.
-- ---------------------------------------------------------------------------
drop policy roles_insert on public.roles;
drop policy roles_update on public.roles;
drop policy roles_delete on public.roles;
drop policy permissions_insert on public.permissions;
drop policy permissions_update on public.permissions;
drop policy permissions_delete on public.permissions;
drop policy role_permissions_insert on public.role_permissions;
drop policy role_permissions_delete on public.role_permissions;
drop policy user_roles_insert on public.user_roles;
drop policy user_roles_delete on public.user_roles;

-- Holders of roles:read see the roles; so do holders of app_clients:read, who see which
-- roles each client holds.
drop policy roles_select on public.roles;
create policy roles_select on public.roles
  for select to authenticated
  using ((select private.authorize('roles:read')) or (select private.authorize('app_clients:read')));

-- Only rbac:manage creates roles.
create policy roles_insert on public.roles
  for insert to authenticated
  with check ((select private.authorize('rbac:manage')));

-- Only rbac:manage edits roles (name, description, parent).
create policy roles_update on public.roles
  for update to authenticated
  using ((select private.authorize('rbac:manage')))
  with check ((select private.authorize('rbac:manage')));

-- Only rbac:manage deletes roles; system roles never (trigger).
create policy roles_delete on public.roles
  for delete to authenticated
  using ((select private.authorize('rbac:manage')));

-- Only rbac:manage creates permissions.
create policy permissions_insert on public.permissions
  for insert to authenticated
  with check ((select private.authorize('rbac:manage')));

-- Only rbac:manage edits permissions; system permissions keep their names (trigger).
create policy permissions_update on public.permissions
  for update to authenticated
  using ((select private.authorize('rbac:manage')))
  with check ((select private.authorize('rbac:manage')));

-- Only rbac:manage deletes permissions; system permissions never (trigger).
create policy permissions_delete on public.permissions
  for delete to authenticated
  using ((select private.authorize('rbac:manage')));

-- Only rbac:manage gives a role a permission.
create policy role_permissions_insert on public.role_permissions
  for insert to authenticated
  with check ((select private.authorize('rbac:manage')));

-- Only rbac:manage takes a permission from a role.
create policy role_permissions_delete on public.role_permissions
  for delete to authenticated
  using ((select private.authorize('rbac:manage')));

-- Only rbac:manage assigns roles (to anyone, themselves included).
create policy user_roles_insert on public.user_roles
  for insert to authenticated
  with check ((select private.authorize('rbac:manage')));

-- Only rbac:manage removes role assignments.
create policy user_roles_delete on public.user_roles
  for delete to authenticated
  using ((select private.authorize('rbac:manage')));

-- ---------------------------------------------------------------------------
-- App clients.
-- ---------------------------------------------------------------------------
grant select, delete on table public.app_clients to authenticated;
grant insert (id, name, description, allowed_scopes, token_lifetime_seconds, token_quota_per_hour,
              enabled)
  on table public.app_clients to authenticated;
grant update (name, description, allowed_scopes, token_lifetime_seconds, token_quota_per_hour,
              enabled)
  on table public.app_clients to authenticated;
grant select, insert, update, delete on table public.app_clients to service_role;

grant select, insert, delete on table public.app_client_roles to authenticated, service_role;

-- Holders of app_clients:read see the clients.
create policy app_clients_select on public.app_clients
  for select to authenticated
  using ((select private.authorize('app_clients:read')));

-- Only rbac:manage creates clients.
create policy app_clients_insert on public.app_clients
  for insert to authenticated
  with check ((select private.authorize('rbac:manage')));

-- Only rbac:manage edits, enables or disables clients.
create policy app_clients_update on public.app_clients
  for update to authenticated
  using ((select private.authorize('rbac:manage')))
  with check ((select private.authorize('rbac:manage')));

-- Only rbac:manage deletes clients (their secrets, roles and revocations go with them).
create policy app_clients_delete on public.app_clients
  for delete to authenticated
  using ((select private.authorize('rbac:manage')));

-- Holders of roles:read or app_clients:read see which roles clients have.
create policy app_client_roles_select on public.app_client_roles
  for select to authenticated
  using ((select private.authorize('roles:read')) or (select private.authorize('app_clients:read')));

-- Only rbac:manage gives a client a role.
create policy app_client_roles_insert on public.app_client_roles
  for insert to authenticated
  with check ((select private.authorize('rbac:manage')));

-- Only rbac:manage takes a role from a client.
create policy app_client_roles_delete on public.app_client_roles
  for delete to authenticated
  using ((select private.authorize('rbac:manage')));

-- MFA binds here too (20261129000000_mfa_binding.sql): restrictive, it never grants anything,
-- it only takes aal1 sessions of users with a verified factor away.
create policy app_clients_mfa on public.app_clients as restrictive for all to authenticated
  using ((select private.mfa_satisfied())) with check ((select private.mfa_satisfied()));
create policy app_client_roles_mfa on public.app_client_roles as restrictive for all to authenticated
  using ((select private.mfa_satisfied())) with check ((select private.mfa_satisfied()));
