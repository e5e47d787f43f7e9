-- The audit log: who did what, to what, from where. Append-only for every API role; only
-- the service role (the API's trusted door) writes it, and only audit:read reads it.

create table public.audit_log (
  id          bigint generated always as identity primary key,
  occurred_at timestamptz not null default now(),
  -- No foreign key: history outlives the users and clients it mentions.
  actor_id    uuid,
  actor_type  text not null
                constraint audit_log_actor_type_check
                check (actor_type in ('user', 'app_client', 'service', 'anonymous', 'system')),
  action      text not null
                constraint audit_log_action_format
                check (action ~ '^[a-z_]+\.[a-z_.]+$' and char_length(action) <= 100),
  target_type text constraint audit_log_target_type_length check (char_length(target_type) <= 100),
  target_id   text constraint audit_log_target_id_length check (char_length(target_id) <= 256),
  ip          inet,
  user_agent  text constraint audit_log_user_agent_length check (char_length(user_agent) <= 512),
  request_id  text constraint audit_log_request_id_length check (char_length(request_id) <= 128),
  metadata    jsonb not null default '{}'::jsonb
                constraint audit_log_metadata_object check (jsonb_typeof(metadata) = 'object')
                constraint audit_log_metadata_size check (octet_length(metadata::text) <= 16384)
                -- A key that looks like a secret (at any depth) is refused: the log is
                -- readable by admins and kept forever, so credentials must never land in it.
                constraint audit_log_metadata_no_secrets check (not jsonb_path_exists(
                  metadata,
                  'strict $.** ? (@.type() == "object").keyvalue() ? (@.key like_regex "password|token|secret" flag "i")'
                ))
);

comment on table public.audit_log is
  'Append-only security history. Written by service_role only; read with audit:read.';

-- The admin list: newest first, optionally by actor, action or target.
create index audit_log_occurred_at_idx on public.audit_log (occurred_at desc);
create index audit_log_actor_id_occurred_at_idx on public.audit_log (actor_id, occurred_at desc);
create index audit_log_action_occurred_at_idx on public.audit_log (action, occurred_at desc);
create index audit_log_target_occurred_at_idx
  on public.audit_log (target_type, target_id, occurred_at desc);

-- User agents are attacker-controlled and unbounded; keep the first 512 characters rather
-- than losing the event to the length check.
create or replace function private.audit_log_truncate_user_agent()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.user_agent := left(new.user_agent, 512);
  return new;
end;
$$;

revoke execute on function private.audit_log_truncate_user_agent()
  from public, anon, authenticated, service_role;

create trigger audit_log_truncate_user_agent
  before insert on public.audit_log
  for each row execute function private.audit_log_truncate_user_agent();

-- History is never rewritten: even a mistaken grant cannot update, delete or truncate it.
-- (Retention, if ever needed, is a superuser job that disables this trigger explicitly.)
create or replace function private.audit_log_append_only()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  raise exception 'audit_log is append-only (% refused)', lower(tg_op)
    using errcode = 'insufficient_privilege';
end;
$$;

revoke execute on function private.audit_log_append_only()
  from public, anon, authenticated, service_role;

create trigger audit_log_no_update_delete
  before update or delete on public.audit_log
  for each row execute function private.audit_log_append_only();

create trigger audit_log_no_truncate
  before truncate on public.audit_log
  for each statement execute function private.audit_log_append_only();

-- Privileges: read for authenticated (RLS narrows it to audit:read), read and insert for
-- the service role, nothing else for anyone.
alter table public.audit_log enable row level security;

revoke all on table public.audit_log from anon, authenticated, service_role;
grant select on table public.audit_log to authenticated;
grant select, insert on table public.audit_log to service_role;
-- Identity values need no sequence privilege; without this revoke, default privileges would
-- let any API role setval() the id sequence.
revoke all on sequence public.audit_log_id_seq from anon, authenticated, service_role;

-- Only holders of audit:read see the audit log.
create policy audit_log_select on public.audit_log
  for select to authenticated
  using ((select public.authorize('audit:read')));
