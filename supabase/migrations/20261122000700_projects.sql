-- Projects, their members (sharing), code generations and the conversation history.
-- This file holds the tables and their invariants; 20261122000710_projects_security.sql
-- holds the grants, RLS helpers, policies and the transfer / share-by-email functions.
-- RLS is enabled and every API privilege revoked at the end of this file, so the tables are
-- closed (not open) in the moment between the two migrations.

create type public.project_role as enum ('owner', 'editor', 'viewer');

create type public.generation_status as enum ('queued', 'running', 'succeeded', 'failed', 'cancelled');

-- ---------------------------------------------------------------------------
-- Tables.
-- ---------------------------------------------------------------------------
create table public.projects (
  id          uuid primary key default gen_random_uuid(),
  -- Deleting the owner's account deletes their projects (and, by cascade, everything in them).
  owner_id    uuid not null references auth.users (id) on delete cascade,
  name        text not null
                constraint projects_name_length
                check (char_length(btrim(name, e' \t\r\n')) between 1 and 120),
  description text constraint projects_description_length check (char_length(description) <= 2000),
  settings    jsonb not null default '{}'::jsonb
                constraint projects_settings_object check (jsonb_typeof(settings) = 'object')
                constraint projects_settings_size check (octet_length(settings::text) <= 65536),
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now()
);

comment on table public.projects is
  'A user''s app project. owner_id always equals the one project_members row with role owner.';

create table public.project_members (
  project_id uuid not null references public.projects (id) on delete cascade,
  user_id    uuid not null references auth.users (id) on delete cascade,
  role       public.project_role not null,
  -- Who shared the project; defaults to the caller so RLS can require it to be them.
  added_by   uuid default auth.uid() references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  primary key (project_id, user_id)
);

comment on table public.project_members is
  'Who may use a project and how. The owner row is created by a trigger and moved by private.transfer_project().';

create table public.code_generations (
  id           uuid primary key default gen_random_uuid(),
  project_id   uuid not null references public.projects (id) on delete cascade,
  -- The history survives the requester's account, anonymised.
  requested_by uuid default auth.uid() references auth.users (id) on delete set null,
  status       public.generation_status not null default 'queued',
  prompt       text not null
                 constraint code_generations_prompt_length check (char_length(prompt) between 1 and 20000),
  result       jsonb,
  error        text,
  -- The pg-boss job that runs it. Unique, so no row can point at another generation's job
  -- (cancel looks the job up through this column).
  job_id       uuid constraint code_generations_job_id_key unique,
  queued_at    timestamptz not null default now(),
  started_at   timestamptz,
  finished_at  timestamptz,
  created_at   timestamptz not null default now(),
  updated_at   timestamptz not null default now(),
  -- A generation starts after it was queued and finishes after it started (or was queued,
  -- when cancelled before starting).
  constraint code_generations_timestamps_ordered check (
    (started_at is null or started_at >= queued_at)
    and (finished_at is null or finished_at >= coalesce(started_at, queued_at))
  )
);

comment on table public.code_generations is
  'One code generation request. Members with editor or owner insert it queued; only service_role (the worker) moves it on.';

create table public.project_messages (
  id            uuid primary key default gen_random_uuid(),
  project_id    uuid not null references public.projects (id) on delete cascade,
  generation_id uuid references public.code_generations (id) on delete set null,
  author_id     uuid default auth.uid() references auth.users (id) on delete set null,
  author_kind   text not null
                  constraint project_messages_author_kind_check
                  check (author_kind in ('user', 'assistant', 'system')),
  kind          text not null default 'text'
                  constraint project_messages_kind_check check (kind in ('text', 'code', 'event')),
  content       text not null
                  constraint project_messages_content_length check (char_length(content) between 1 and 100000),
  created_at    timestamptz not null default now()
);

comment on table public.project_messages is
  'The conversation history of a project, oldest first by (created_at, id).';

-- ---------------------------------------------------------------------------
-- Indexes: every foreign key, and what the lists filter and sort by (keyset pagination on
-- (sort key, id)).
-- ---------------------------------------------------------------------------
create index projects_owner_id_idx on public.projects (owner_id);
create index projects_updated_at_id_idx on public.projects (updated_at, id);
create index projects_name_id_idx on public.projects (name, id);

-- project_id leads the primary key.
create index project_members_user_id_idx on public.project_members (user_id);
create index project_members_added_by_idx on public.project_members (added_by);
-- A project has at most one owner row (the trigger below makes it exactly one).
create unique index project_members_one_owner_idx
  on public.project_members (project_id) where role = 'owner';

create index code_generations_project_id_created_at_id_idx
  on public.code_generations (project_id, created_at, id);
create index code_generations_requested_by_idx on public.code_generations (requested_by);

create index project_messages_project_id_created_at_id_idx
  on public.project_messages (project_id, created_at, id);
create index project_messages_generation_id_idx on public.project_messages (generation_id);
create index project_messages_author_id_idx on public.project_messages (author_id);

create trigger projects_set_updated_at
  before update on public.projects
  for each row execute function public.set_updated_at();

create trigger code_generations_set_updated_at
  before update on public.code_generations
  for each row execute function public.set_updated_at();

-- ---------------------------------------------------------------------------
-- Invariant: every project has exactly one owner row in project_members, and it is
-- projects.owner_id.
-- ---------------------------------------------------------------------------

-- The creator becomes the owner member in the same statement. Security definer because the
-- owner row is exactly what the members insert policy refuses to anyone.
create or replace function private.projects_add_owner_member()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.project_members (project_id, user_id, role, added_by)
  values (new.id, new.owner_id, 'owner', new.owner_id);
  return new;
end;
$$;

revoke execute on function private.projects_add_owner_member()
  from public, anon, authenticated, service_role;

create trigger projects_add_owner_member
  after insert on public.projects
  for each row execute function private.projects_add_owner_member();

-- Checked at commit, not per statement, so a transfer can demote, promote and move owner_id
-- in any order. Security definer so the check sees every row, whatever the caller's RLS.
-- The partial unique index allows at most one owner row; this requires that row to exist
-- and to be owner_id. A deleted project has nothing left to check.
create or replace function private.projects_check_owner_member()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_projects uuid[];
  v_project  uuid;
begin
  -- Branches, not one expression: OLD and NEW have different fields on the two tables.
  if tg_table_name = 'projects' then
    v_projects := array[new.id];
  elsif tg_op = 'INSERT' then
    v_projects := array[new.project_id];
  elsif tg_op = 'DELETE' then
    v_projects := array[old.project_id];
  else
    v_projects := array[old.project_id, new.project_id];
  end if;

  for v_project in select distinct x.id from unnest(v_projects) as x (id) loop
    if exists (select 1 from public.projects p where p.id = v_project)
       and not exists (
         select 1
           from public.projects p
           join public.project_members m
             on m.project_id = p.id and m.user_id = p.owner_id and m.role = 'owner'
          where p.id = v_project) then
      raise exception 'project % must have exactly one owner member, its owner_id', v_project
        using errcode = 'check_violation', constraint = 'project_members_owner_is_project_owner';
    end if;
  end loop;
  return null;
end;
$$;

revoke execute on function private.projects_check_owner_member()
  from public, anon, authenticated, service_role;

create constraint trigger projects_check_owner_member
  after insert or update of owner_id on public.projects
  deferrable initially deferred
  for each row execute function private.projects_check_owner_member();

create constraint trigger project_members_check_owner_member
  after insert or update or delete on public.project_members
  deferrable initially deferred
  for each row execute function private.projects_check_owner_member();

-- ---------------------------------------------------------------------------
-- Invariant: a message that names a generation names one of its own project's.
-- ---------------------------------------------------------------------------

-- Invoker rights on purpose: a member sees their project's generations, so a generation
-- they cannot see is never one of their project's; service_role sees all.
create or replace function private.project_messages_check_generation()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.generation_id is not null and not exists (
    select 1 from public.code_generations g
     where g.id = new.generation_id and g.project_id = new.project_id
  ) then
    raise exception 'generation % is not part of project %', new.generation_id, new.project_id
      using errcode = 'check_violation', constraint = 'project_messages_generation_same_project';
  end if;
  return new;
end;
$$;

revoke execute on function private.project_messages_check_generation()
  from public, anon, authenticated, service_role;

create trigger project_messages_check_generation
  before insert or update of project_id, generation_id on public.project_messages
  for each row execute function private.project_messages_check_generation();

-- ---------------------------------------------------------------------------
-- Closed until the next migration opens exactly what each role needs: RLS on, and the
-- Supabase default privileges (ALL to anon, authenticated, service_role) taken back.
-- ---------------------------------------------------------------------------
alter table public.projects enable row level security;
alter table public.project_members enable row level security;
alter table public.code_generations enable row level security;
alter table public.project_messages enable row level security;

revoke all on table public.projects, public.project_members, public.code_generations,
  public.project_messages
  from public, anon, authenticated, service_role;
