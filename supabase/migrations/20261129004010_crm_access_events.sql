-- GDPR accountability: every read of a client's data by a person is an access event (who,
-- when, what), and erasing a client leaves a tombstone here. The log holds no personal data
-- of the client (only its id, the reader's id and what was read), so it outlives an erase:
-- client_id has no foreign key on purpose.

create table public.crm_access_events (
  id          bigint generated always as identity primary key,
  project_id  uuid not null references public.projects (id) on delete cascade,
  client_id   uuid not null,
  -- Who read it; null for the system.
  actor_id    uuid,
  action      text not null
                constraint crm_access_events_action_check check (action in (
                  'list', 'read', 'timeline', 'documents', 'document', 'document_link',
                  'export', 'audit_log', 'erase')),
  -- What exactly: a document id, how many records an export held, what an erase removed.
  detail      jsonb not null default '{}'
                constraint crm_access_events_detail_object check (jsonb_typeof(detail) = 'object')
                constraint crm_access_events_detail_size check (octet_length(detail::text) <= 4096),
  occurred_at timestamptz not null default now()
);

comment on table public.crm_access_events is
  'Who read which client''s data and when; an erase leaves its tombstone (action erase) here.';

create index crm_access_events_client_idx on public.crm_access_events (client_id, occurred_at, id);
create index crm_access_events_project_idx on public.crm_access_events (project_id, occurred_at);

revoke all on table public.crm_access_events from public, anon, authenticated;
grant select on table public.crm_access_events to authenticated;
grant select, insert, delete on table public.crm_access_events to service_role;

alter table public.crm_access_events enable row level security;

-- Owners and editors read who accessed their projects' clients; viewers do not (the log
-- tells who works on which client). Nobody writes it but private.crm_record_access.
create policy crm_access_events_select on public.crm_access_events
  for select to authenticated
  using (private.has_project_role(project_id, array['owner', 'editor']::public.project_role[]));

create policy crm_access_events_mfa on public.crm_access_events as restrictive for all
  to authenticated
  using ((select private.mfa_satisfied())) with check ((select private.mfa_satisfied()));

-- Records that the caller read `p_action` of these clients. Security definer, so users write
-- the log without any privilege on it; it only records the caller (auth.uid()) and only
-- clients of a project they are a member of, so nobody can forge another reader or project.
create or replace function private.crm_record_access(
  p_project uuid,
  p_clients uuid[],
  p_action  text,
  p_detail  jsonb default '{}'
)
returns void
language sql
volatile
security definer
set search_path = ''
as $$
  insert into public.crm_access_events (project_id, client_id, actor_id, action, detail)
  select p_project, c.id, (select auth.uid()), p_action, coalesce(p_detail, '{}')
    from public.crm_clients c
   where c.id = any (p_clients) and c.project_id = p_project
     and private.is_project_member(p_project)
$$;

revoke execute on function private.crm_record_access(uuid, uuid[], text, jsonb)
  from public, anon;
grant execute on function private.crm_record_access(uuid, uuid[], text, jsonb)
  to authenticated, service_role;
