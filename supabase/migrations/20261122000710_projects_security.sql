-- Who may do what to projects and everything in them. Membership (project_members) decides:
-- owner > editor > viewer; `projects:read_all` / `projects:write_all` (admin) see and manage
-- projects and their member lists without being members. service_role (the API's service
-- door, the worker) bypasses RLS; anon gets nothing.

-- ---------------------------------------------------------------------------
-- Helpers for policies. Security definer so that a policy on project_members can ask about
-- project_members without recursing into its own RLS. Wrap the caller's id in `(select ...)`
-- so it is computed once per statement.
-- ---------------------------------------------------------------------------

-- The caller's role in the project, or null when they are not a member.
create or replace function private.project_role(p_project uuid)
returns public.project_role
language sql
stable
security definer
set search_path = ''
as $$
  select m.role
    from public.project_members m
   where m.project_id = p_project and m.user_id = (select auth.uid())
$$;

-- Is the caller a member of the project (any role)?
create or replace function private.is_project_member(p_project uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from public.project_members m
     where m.project_id = p_project and m.user_id = (select auth.uid())
  )
$$;

-- Does the caller hold one of these roles in the project?
create or replace function private.has_project_role(p_project uuid, p_roles public.project_role[])
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from public.project_members m
     where m.project_id = p_project and m.user_id = (select auth.uid()) and m.role = any (p_roles)
  )
$$;

revoke execute on function
  private.project_role(uuid),
  private.is_project_member(uuid),
  private.has_project_role(uuid, public.project_role[])
  from public, anon;
grant execute on function
  private.project_role(uuid),
  private.is_project_member(uuid),
  private.has_project_role(uuid, public.project_role[])
  to authenticated, service_role;

-- ---------------------------------------------------------------------------
-- Privileges. RLS narrows rows; grants narrow columns. Timestamps are never client-written;
-- status and results of a generation are written by service_role only; owner_id moves only
-- through private.transfer_project().
-- ---------------------------------------------------------------------------
grant select, delete on table public.projects to authenticated;
grant insert (id, owner_id, name, description, settings) on table public.projects to authenticated;
grant update (name, description, settings) on table public.projects to authenticated;

grant select, delete on table public.project_members to authenticated;
grant insert (project_id, user_id, role, added_by) on table public.project_members to authenticated;
grant update (role) on table public.project_members to authenticated;

grant select, delete on table public.code_generations to authenticated;
grant insert (id, project_id, requested_by, status, prompt, result, error, job_id, started_at,
              finished_at)
  on table public.code_generations to authenticated;

grant select, delete on table public.project_messages to authenticated;
grant insert (id, project_id, generation_id, author_id, author_kind, kind, content)
  on table public.project_messages to authenticated;

grant select, insert, update, delete on table public.projects, public.project_members,
  public.code_generations, public.project_messages
  to service_role;

-- ---------------------------------------------------------------------------
-- projects
-- ---------------------------------------------------------------------------

-- Members see a project; so does its owner before the owner row exists (INSERT ... RETURNING
-- checks this before the AFTER trigger runs), and projects:read_all sees every project.
create policy projects_select on public.projects
  for select to authenticated
  using (
    owner_id = (select auth.uid())
    or private.is_project_member(id)
    or (select public.authorize('projects:read_all'))
  );

-- Any signed-in user creates projects, owned by themselves only.
create policy projects_insert on public.projects
  for insert to authenticated
  with check (owner_id = (select auth.uid()));

-- Only the owner (or projects:write_all) edits a project; the column grants limit what.
create policy projects_update on public.projects
  for update to authenticated
  using (owner_id = (select auth.uid()) or (select public.authorize('projects:write_all')))
  with check (owner_id = (select auth.uid()) or (select public.authorize('projects:write_all')));

-- Only the owner (or projects:write_all) deletes a project, and with it everything in it.
create policy projects_delete on public.projects
  for delete to authenticated
  using (owner_id = (select auth.uid()) or (select public.authorize('projects:write_all')));

-- ---------------------------------------------------------------------------
-- project_members
-- ---------------------------------------------------------------------------

-- Members see who else is in their projects; projects:read_all sees every member list.
create policy project_members_select on public.project_members
  for select to authenticated
  using (
    private.is_project_member(project_id)
    or (select public.authorize('projects:read_all'))
  );

-- Only the owner (or projects:write_all) shares, only as editor or viewer, and in their own
-- name; the owner row comes from the projects trigger or a transfer, never from here.
create policy project_members_insert on public.project_members
  for insert to authenticated
  with check (
    role in ('editor', 'viewer')
    and added_by = (select auth.uid())
    and (private.has_project_role(project_id, array['owner']::public.project_role[])
         or (select public.authorize('projects:write_all')))
  );

-- Only the owner (or projects:write_all) changes roles: never their own row (nobody raises
-- or lowers themselves), never the owner row, never to owner (that is a transfer).
create policy project_members_update on public.project_members
  for update to authenticated
  using (
    role <> 'owner'
    and user_id <> (select auth.uid())
    and (private.has_project_role(project_id, array['owner']::public.project_role[])
         or (select public.authorize('projects:write_all')))
  )
  with check (
    role <> 'owner'
    and user_id <> (select auth.uid())
    and (private.has_project_role(project_id, array['owner']::public.project_role[])
         or (select public.authorize('projects:write_all')))
  );

-- The owner (or projects:write_all) removes any non-owner member; a non-owner member may
-- leave. The owner row is never removed (transfer first, or delete the project).
create policy project_members_delete on public.project_members
  for delete to authenticated
  using (
    role <> 'owner'
    and (user_id = (select auth.uid())
         or private.has_project_role(project_id, array['owner']::public.project_role[])
         or (select public.authorize('projects:write_all')))
  );

-- ---------------------------------------------------------------------------
-- code_generations (no update policy and no update grant: only service_role moves status)
-- ---------------------------------------------------------------------------

-- Members see their projects' generations; projects:read_all holders (admins) see all.
create policy code_generations_select on public.code_generations
  for select to authenticated
  using (private.is_project_member(project_id) or (select public.authorize('projects:read_all')));

-- Editors and owners request generations, in their own name, queued and untouched.
create policy code_generations_insert on public.code_generations
  for insert to authenticated
  with check (
    requested_by = (select auth.uid())
    and status = 'queued'
    and result is null and error is null and started_at is null and finished_at is null
    and private.has_project_role(project_id, array['owner', 'editor']::public.project_role[])
  );

-- Only the owner (or a projects:write_all holder) deletes generations.
create policy code_generations_delete on public.code_generations
  for delete to authenticated
  using (
    private.has_project_role(project_id, array['owner']::public.project_role[])
    or (select public.authorize('projects:write_all'))
  );

-- ---------------------------------------------------------------------------
-- project_messages (no update policy and no update grant: history is not rewritten)
-- ---------------------------------------------------------------------------

-- Members see their projects' conversation; projects:read_all holders (admins) see all.
create policy project_messages_select on public.project_messages
  for select to authenticated
  using (private.is_project_member(project_id) or (select public.authorize('projects:read_all')));

-- Editors and owners post, as themselves and as a user (assistant and system messages come
-- from service_role).
create policy project_messages_insert on public.project_messages
  for insert to authenticated
  with check (
    author_id = (select auth.uid())
    and author_kind = 'user'
    and private.has_project_role(project_id, array['owner', 'editor']::public.project_role[])
  );

-- Only the owner (or a projects:write_all holder) deletes messages.
create policy project_messages_delete on public.project_messages
  for delete to authenticated
  using (
    private.has_project_role(project_id, array['owner']::public.project_role[])
    or (select public.authorize('projects:write_all'))
  );

-- ---------------------------------------------------------------------------
-- Ownership transfer and sharing by email.
-- ---------------------------------------------------------------------------

-- Hands the project to an existing member: the old owner stays on as editor. The caller must
-- be the owner (or hold projects:write_all). Locks the project row, so two transfers of one
-- project serialize, and the new owner's row, so they cannot be removed half-way. The owner
-- invariant is checked at commit, after all three writes.
create or replace function private.transfer_project(p_project uuid, p_new_owner uuid)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_owner uuid;
begin
  select p.owner_id into v_owner from public.projects p where p.id = p_project for update;
  -- A missing project and someone else's project look alike, so ids cannot be probed.
  if not found or not (v_owner = (select auth.uid())
                       or (select public.authorize('projects:write_all'))) then
    raise exception 'not allowed to transfer this project'
      using errcode = 'insufficient_privilege';
  end if;

  perform 1 from public.project_members m
   where m.project_id = p_project and m.user_id = p_new_owner
     for update;
  if not found then
    raise exception 'the new owner must already be a member of the project'
      using errcode = 'invalid_parameter_value';
  end if;
  if p_new_owner = v_owner then
    return;
  end if;

  -- Demote before promoting: the one-owner unique index is checked per statement.
  update public.project_members set role = 'editor'
   where project_id = p_project and user_id = v_owner;
  update public.project_members set role = 'owner'
   where project_id = p_project and user_id = p_new_owner;
  update public.projects set owner_id = p_new_owner where id = p_project;
end;
$$;

comment on function private.transfer_project(uuid, uuid) is
  'Makes an existing member the owner; the old owner becomes editor. Owner or projects:write_all.';

-- The id of the account with this email (case-insensitive), or null: how an owner shares by
-- email. auth.users is not granted to the API roles, hence security definer. It does tell
-- any signed-in user whether an address is registered; the API rate-limits the share route.
create or replace function private.find_user_id_by_email(p_email text)
returns uuid
language sql
stable
security definer
set search_path = ''
as $$
  select u.id
    from auth.users u
   where lower(u.email) = lower(btrim(p_email)) and u.deleted_at is null
   order by u.is_sso_user, u.created_at
   limit 1
$$;

revoke execute on function
  private.transfer_project(uuid, uuid),
  private.find_user_id_by_email(text)
  from public, anon;
grant execute on function
  private.transfer_project(uuid, uuid),
  private.find_user_id_by_email(text)
  to authenticated, service_role;
