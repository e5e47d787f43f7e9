-- Analytics of a project's CRM, fast on millions of messages: messages per day and direction,
-- and response times, are kept as a daily summary written by triggers in the writer's
-- transaction (so it is never behind), instead of counting messages at read time. Clients by
-- profile type and documents by status are read from covering indexes. Days are UTC days.
-- The summary holds counts only (no personal data), so deleting or erasing a client leaves
-- it: a project's history of activity stays true.

create table public.crm_daily_stats (
  project_id         uuid not null references public.projects (id) on delete cascade,
  day                date not null,
  messages_in        int not null default 0,
  messages_out       int not null default 0,
  -- Replies: an outbound message after one or more unanswered inbound ones, timed from the
  -- first of them.
  responses          int not null default 0,
  response_seconds   double precision not null default 0,
  max_response_seconds double precision not null default 0,
  primary key (project_id, day)
);

comment on table public.crm_daily_stats is
  'Per project and UTC day: messages in and out, replies and their total and longest times.';

revoke all on table public.crm_daily_stats from public, anon, authenticated;
grant select on table public.crm_daily_stats to authenticated;
grant select, insert, update, delete on table public.crm_daily_stats to service_role;
alter table public.crm_daily_stats enable row level security;

-- Members read their projects' analytics; only the trigger writes.
create policy crm_daily_stats_select on public.crm_daily_stats
  for select to authenticated using (private.is_project_member(project_id));
create policy crm_daily_stats_mfa on public.crm_daily_stats as restrictive for all
  to authenticated
  using ((select private.mfa_satisfied())) with check ((select private.mfa_satisfied()));

-- Counts a new message on its day and, for a reply, the time since the first inbound message
-- it answers (found through the client's timeline index). Security definer: whoever writes a
-- message updates the summary without any privilege on it.
create or replace function private.crm_messages_count()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_day       date := (new.occurred_at at time zone 'UTC')::date;
  v_last_out  timestamptz;
  v_first_in  timestamptz;
  v_seconds   double precision;
begin
  if new.direction = 'out' then
    select max(m.occurred_at) into v_last_out
      from public.crm_messages m
     where m.client_id = new.client_id and m.direction = 'out' and m.id <> new.id
       and m.occurred_at <= new.occurred_at;
    select min(m.occurred_at) into v_first_in
      from public.crm_messages m
     where m.client_id = new.client_id and m.direction = 'in'
       and m.occurred_at <= new.occurred_at
       and (v_last_out is null or m.occurred_at > v_last_out);
    v_seconds := extract(epoch from new.occurred_at - v_first_in);
  end if;
  insert into public.crm_daily_stats as s (
    project_id, day, messages_in, messages_out, responses, response_seconds,
    max_response_seconds)
  values (
    new.project_id, v_day,
    (new.direction = 'in')::int, (new.direction = 'out')::int,
    (v_seconds is not null)::int, coalesce(v_seconds, 0), coalesce(v_seconds, 0))
  on conflict (project_id, day) do update set
    messages_in = s.messages_in + excluded.messages_in,
    messages_out = s.messages_out + excluded.messages_out,
    responses = s.responses + excluded.responses,
    response_seconds = s.response_seconds + excluded.response_seconds,
    max_response_seconds = greatest(s.max_response_seconds, excluded.max_response_seconds);
  return null;
end;
$$;

revoke execute on function private.crm_messages_count() from public, anon, authenticated;

create trigger crm_messages_count
  after insert on public.crm_messages
  for each row execute function private.crm_messages_count();

-- What was there before the trigger: messages per day (replies are counted from now on).
insert into public.crm_daily_stats (project_id, day, messages_in, messages_out)
select project_id, (occurred_at at time zone 'UTC')::date,
       count(*) filter (where direction = 'in'), count(*) filter (where direction = 'out')
  from public.crm_messages
 group by 1, 2
on conflict (project_id, day) do nothing;

-- Clients by profile type over a date range (of creation), from the index alone.
create index crm_clients_project_created_profile_idx
  on public.crm_clients (project_id, created_at) include (profile_type);
