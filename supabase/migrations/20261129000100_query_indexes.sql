-- Indexes that match the list queries, and the query pieces they need. Every list reads one
-- page through an index in the order it pages (keyset on (sort key, id)), and every search
-- reads its matches through an index instead of the whole table.
--
-- Two facts shape this file:
-- * Under RLS, a condition that is not LEAKPROOF waits for the policies' filters and can never
--   be an index condition. `=`, `<` and `^@` (starts_with) are leakproof; LIKE and ILIKE are
--   not. So the audit log's action prefix uses `^@`, and the `%q%` searches of users run in a
--   security-definer function (no RLS inside) that applies the same visibility rule itself.
-- * On Supabase, auth.users belongs to supabase_auth_admin: a migration cannot index it. The
--   email search reads a copy of the emails kept by triggers; the share-by-email lookup uses an
--   index GoTrue already has.

create extension if not exists pg_trgm with schema extensions;

-- ---------------------------------------------------------------------------
-- Users: the default list and the search on usernames and emails.
-- ---------------------------------------------------------------------------

-- listUsers with sort=created_at (the default): pages of profiles newest first.
create index profiles_created_at_id_idx on public.profiles (created_at, id);

-- private.user_ids_matching: `username ilike '%q%'`.
create index profiles_username_trgm_idx
  on public.profiles using gin (username extensions.gin_trgm_ops);

-- Each auth user's email, copied from auth.users (which cannot be indexed here) so the user
-- search can find `%q%` in emails through a trigram index. Written only by the trigger below;
-- read only by private.user_ids_matching(); no API role touches it.
create table private.user_email_search (
  id    uuid primary key references auth.users (id) on delete cascade,
  email text not null
);

comment on table private.user_email_search is
  'Copy of auth.users.email for the trigram search; kept by private.sync_user_email_search().';

-- private.user_ids_matching: `email ilike '%q%'`.
create index user_email_search_email_trgm_idx
  on private.user_email_search using gin (email extensions.gin_trgm_ops);

alter table private.user_email_search enable row level security;
revoke all on table private.user_email_search from public, anon, authenticated, service_role;

-- Keeps the copy equal to auth.users.email: set on sign-up and on every email change, gone
-- when the address is removed (and, by the foreign key, with the user).
create or replace function private.sync_user_email_search()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.email is null then
    delete from private.user_email_search where id = new.id;
  else
    insert into private.user_email_search (id, email) values (new.id, new.email)
    on conflict (id) do update set email = excluded.email;
  end if;
  return null;
end;
$$;

revoke execute on function private.sync_user_email_search()
  from public, anon, authenticated, service_role;

create trigger on_auth_user_email_sync
  after insert or update of email on auth.users
  for each row execute function private.sync_user_email_search();

insert into private.user_email_search (id, email)
select u.id, u.email from auth.users u where u.email is not null
on conflict (id) do nothing;

-- The ids of the users whose username or email matches `p_pattern` (an ILIKE pattern),
-- among those the caller may see: themselves, or everyone with users:read (the rule of the
-- profiles policies and of private.user_emails). Security definer so the trigram indexes can
-- serve the ILIKE; the caller's query still reads the profiles through RLS. PL/pgSQL with
-- custom plans, because a plan made for any pattern cannot know what a trigram index will
-- match and reads the tables instead (as a SQL function's plan would).
create or replace function private.user_ids_matching(p_pattern text)
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
set plan_cache_mode = force_custom_plan
as $$
begin
  return array(
    select m.id
      from (select p.id from public.profiles p where p.username ilike p_pattern
            union
            select e.id from private.user_email_search e where e.email ilike p_pattern) m
     where m.id = (select auth.uid()) or (select public.authorize('users:read')));
end;
$$;

revoke execute on function private.user_ids_matching(text) from public, anon;
grant execute on function private.user_ids_matching(text) to authenticated, service_role;

-- ---------------------------------------------------------------------------
-- Audit log: keyset on (occurred_at, id), alone or after an actor or an action. With the id
-- in the index, a cursor inside a burst of events written in one transaction (one
-- occurred_at) is an index condition, not a filter over the whole burst. These replace the
-- (x, occurred_at desc) indexes, which a backward scan of the new ones covers.
-- ---------------------------------------------------------------------------

-- listAuditLog with no filter (and with from/to): newest first, by cursor.
create index audit_log_occurred_at_id_idx on public.audit_log (occurred_at, id);

-- listAuditLog with actor_id.
create index audit_log_actor_id_occurred_at_id_idx
  on public.audit_log (actor_id, occurred_at, id);

-- listAuditLog with action: `action = x` in (occurred_at, id) order, and `action ^@ prefix`
-- (`session.*`) as a range, which text_pattern_ops allows whatever the database collation.
create index audit_log_action_occurred_at_id_idx
  on public.audit_log (action text_pattern_ops, occurred_at, id);

drop index public.audit_log_occurred_at_idx;
drop index public.audit_log_actor_id_occurred_at_idx;
drop index public.audit_log_action_occurred_at_idx;
-- No query filters the audit log by target.
drop index public.audit_log_target_occurred_at_idx;

-- ---------------------------------------------------------------------------
-- Projects: the list starts from the caller's memberships (project_members_user_id_idx) and
-- sorts those few rows; no query walks all projects by updated_at or name. Dropping these
-- also lets a project update (updated_at moves every time) be a HOT update.
-- ---------------------------------------------------------------------------
drop index public.projects_updated_at_id_idx;
drop index public.projects_name_id_idx;

-- ---------------------------------------------------------------------------
-- Sharing by email: the same lookup as GoTrue's own (FindUserByEmailAndAudience), so it
-- reads users_instance_id_email_idx (instance_id, lower(email)), an index GoTrue creates on
-- every Supabase project. GoTrue writes every user with the nil instance_id.
-- ---------------------------------------------------------------------------
create or replace function private.find_user_id_by_email(p_email text)
returns uuid
language sql
stable
security definer
set search_path = ''
as $$
  select u.id
    from auth.users u
   where u.instance_id = '00000000-0000-0000-0000-000000000000'::uuid
     and lower(u.email) = lower(btrim(p_email)) and u.deleted_at is null
   order by u.is_sso_user, u.created_at
   limit 1
$$;
