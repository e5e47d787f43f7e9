-- The generation pipeline: what a request asks for, the worker's lease on a running
-- generation, its events (appended and broadcast on Realtime in one transaction), cancel, and
-- who may receive a generation's channel.

-- ---------------------------------------------------------------------------
-- code_generations: the request, and the worker's hold on it.
-- ---------------------------------------------------------------------------
alter table public.code_generations
  -- What to do: write code with the LLM, fix what the analyzer finds, or only build.
  add column kind text not null default 'generate'
    constraint code_generations_kind_check check (kind in ('generate', 'fix', 'build')),
  -- Files the request brings, written into the workspace before anything runs.
  add column files jsonb
    constraint code_generations_files_array check (files is null or jsonb_typeof(files) = 'array')
    constraint code_generations_files_size check (files is null or octet_length(files::text) <= 2097152),
  add column preview boolean not null default false,
  add column cancel_on_disconnect boolean not null default false,
  -- Set by cancel; the worker reads it at its next heartbeat if the NOTIFY did not reach it.
  add column cancel_requested_at timestamptz,
  -- The worker holding the generation (`host:pid:uuid`) until lease_expires_at, renewed by
  -- its heartbeat; a lapsed lease means the worker is gone and the generation is recovered.
  add column worker_id text,
  add column lease_expires_at timestamptz,
  add column attempt int not null default 0,
  -- The process groups the worker started for it ({host, pgid, start}), killed on recovery.
  add column process_groups jsonb not null default '[]'::jsonb
    constraint code_generations_process_groups_array check (jsonb_typeof(process_groups) = 'array'),
  -- The last event's seq (events are numbered 1, 2, 3… per generation).
  add column event_seq int not null default 0,
  -- The pg-boss job that runs a generation has the generation's id, so no row can name (and
  -- its cancel reach) a job of something else.
  add constraint code_generations_job_is_own check (job_id is null or job_id = id);

-- What the recovery sweep reads: running generations by lease, queued ones by age.
create index code_generations_running_lease_idx
  on public.code_generations (lease_expires_at) where status = 'running';
create index code_generations_queued_idx
  on public.code_generations (queued_at) where status = 'queued';
-- Ended generations whose preview still runs, by worker: few, and looked for after a crash.
create index code_generations_kept_groups_idx
  on public.code_generations (worker_id) where process_groups <> '[]'::jsonb;

grant insert (kind, files, preview, cancel_on_disconnect) on table public.code_generations
  to authenticated;

-- ---------------------------------------------------------------------------
-- generation_events: everything a client is told about a generation, in order.
-- ---------------------------------------------------------------------------
create table public.generation_events (
  generation_id uuid not null references public.code_generations (id) on delete cascade,
  seq           int not null constraint generation_events_seq_positive check (seq > 0),
  type          text not null
                  constraint generation_events_type_check check (type in (
                    'Status', 'Output', 'Text', 'Code', 'Chat', 'Error', 'AnalysisError', 'Result')),
  -- The event exactly as it was broadcast; replay returns this value unchanged.
  event         jsonb not null,
  created_at    timestamptz not null default now(),
  primary key (generation_id, seq)
);

comment on table public.generation_events is
  'Events of a generation by seq, each also broadcast on the Realtime channel generation:<id>.';

alter table public.generation_events enable row level security;
revoke all on table public.generation_events from public, anon, authenticated, service_role;
grant select on table public.generation_events to authenticated;
grant select, insert, delete on table public.generation_events to service_role;

-- Whoever may see the generation sees its events: the subquery runs under code_generations'
-- own policies, so the two can never disagree.
create policy generation_events_select on public.generation_events
  for select to authenticated
  using (exists (select 1 from public.code_generations g where g.id = generation_id));

-- As on every user-reachable table: aal1 sessions of users with a verified factor get nothing.
create policy generation_events_mfa on public.generation_events
  as restrictive for all to authenticated
  using ((select private.mfa_satisfied())) with check ((select private.mfa_satisfied()));

-- ---------------------------------------------------------------------------
-- Appending an event: number it, store it, broadcast it, in the caller's transaction, so a
-- client receives exactly what replay returns and a rolled-back step broadcasts nothing.
-- ---------------------------------------------------------------------------

-- At most 2000 events per generation; streamed ones (output, text, code, findings) stop at
-- 1900 so the status, error and result events always fit. The worker keeps to a smaller
-- budget of its own and says when it cut output; this is the backstop. Returns the event, or
-- null when the cap (or a missing generation) left nothing appended. Security definer: users
-- read events but never write them; the API's trigger and the worker call this.
create or replace function private.append_generation_event(
  p_generation uuid,
  p_type text,
  p_data jsonb
)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_seq   int;
  v_event jsonb;
begin
  update public.code_generations g
     set event_seq = g.event_seq + 1
   where g.id = p_generation
     and g.event_seq < case when p_type in ('Status', 'Error', 'Chat', 'Result') then 2000 else 1900 end
  returning g.event_seq into v_seq;
  if v_seq is null then
    return null;
  end if;
  v_event := jsonb_build_object(
    'id', gen_random_uuid(),
    'generation_id', p_generation,
    'seq', v_seq,
    'type', p_type,
    'at', to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'data', coalesce(p_data, '{}'::jsonb));
  insert into public.generation_events (generation_id, seq, type, event)
  values (p_generation, v_seq, p_type, v_event);
  -- The event carries its own `id`, so realtime.send keeps the payload as it is.
  perform realtime.send(v_event, p_type, 'generation:' || p_generation::text, true);
  return v_event;
end;
$$;

revoke execute on function private.append_generation_event(uuid, text, jsonb)
  from public, anon, authenticated;
grant execute on function private.append_generation_event(uuid, text, jsonb) to service_role;

-- The worker's append: several events in order, in one statement, only while `p_worker`
-- still holds the generation (its lease). Returns how many were appended (the cap may refuse
-- some), or -1 when the worker no longer holds it, which appends nothing.
create or replace function private.append_generation_events(
  p_generation uuid,
  p_worker text,
  p_events jsonb
)
returns int
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_event jsonb;
  v_count int := 0;
begin
  perform 1 from public.code_generations g
   where g.id = p_generation and g.worker_id = p_worker
     for update;
  if not found then
    return -1;
  end if;
  for v_event in select e from jsonb_array_elements(p_events) e loop
    if private.append_generation_event(p_generation, v_event ->> 'type', v_event -> 'data') is not null then
      v_count := v_count + 1;
    end if;
  end loop;
  return v_count;
end;
$$;

revoke execute on function private.append_generation_events(uuid, text, jsonb)
  from public, anon, authenticated;
grant execute on function private.append_generation_events(uuid, text, jsonb) to service_role;

-- A new generation's first event says it is queued, whoever inserted it.
create or replace function private.code_generations_queued_event()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.append_generation_event(new.id, 'Status', jsonb_build_object('status', new.status));
  return null;
end;
$$;

revoke execute on function private.code_generations_queued_event()
  from public, anon, authenticated, service_role;

create trigger code_generations_queued_event
  after insert on public.code_generations
  for each row execute function private.code_generations_queued_event();

-- ---------------------------------------------------------------------------
-- Cancel. Editors and owners only (insufficient_privilege otherwise). A queued generation ends
-- `cancelled` at once (the caller cancels its pg-boss job in the same transaction); a running
-- one is marked and its worker woken with NOTIFY generation_cancel; an ended one is left.
-- Returns 'cancelled', 'requested', 'ended', or 'missing'. Locks the row, so it serializes
-- with the worker's claim: whichever comes first decides which path is taken.
-- ---------------------------------------------------------------------------
create or replace function private.cancel_generation(p_generation uuid)
returns text
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_project uuid;
  v_status  public.generation_status;
begin
  select g.project_id, g.status into v_project, v_status
    from public.code_generations g
   where g.id = p_generation
     for update;
  if not found then
    return 'missing';
  end if;
  if not private.has_project_role(v_project, array['owner', 'editor']::public.project_role[]) then
    raise exception 'not allowed to cancel this generation' using errcode = 'insufficient_privilege';
  end if;
  if v_status = 'queued' then
    update public.code_generations
       set status = 'cancelled', cancel_requested_at = now(), finished_at = now(),
           worker_id = null, lease_expires_at = null
     where id = p_generation;
    perform private.append_generation_event(p_generation, 'Status',
      jsonb_build_object('status', 'cancelled', 'message', 'Cancelled before it started'));
    perform private.append_generation_event(p_generation, 'Result', jsonb_build_object(
      'status', 'cancelled', 'summary', null, 'files', '[]'::jsonb, 'build', null,
      'preview', null, 'duration_ms', 0, 'output_bytes', 0, 'error', null));
    return 'cancelled';
  elsif v_status = 'running' then
    update public.code_generations
       set cancel_requested_at = coalesce(cancel_requested_at, now())
     where id = p_generation;
    perform pg_notify('generation_cancel', p_generation::text);
    return 'requested';
  end if;
  return 'ended';
end;
$$;

revoke execute on function private.cancel_generation(uuid) from public, anon;
grant execute on function private.cancel_generation(uuid) to authenticated, service_role;

-- ---------------------------------------------------------------------------
-- Realtime: the private channel generation:<id>. Members of the generation's project, and
-- only they, receive its broadcasts and see who watches it (presence); they may announce
-- themselves (presence, which `cancel_on_disconnect` reads) but never broadcast on it, so no
-- client can forge an event. The id is compared as text, so a malformed topic never raises.
-- ---------------------------------------------------------------------------
create policy generation_channel_read on realtime.messages
  for select to authenticated
  using (
    realtime.messages.extension in ('broadcast', 'presence')
    and split_part(realtime.topic(), ':', 1) = 'generation'
    and exists (
      select 1
        from public.code_generations g
        join public.project_members m on m.project_id = g.project_id
       where g.id::text = split_part(realtime.topic(), ':', 2)
         and m.user_id = (select auth.uid())));

create policy generation_channel_presence on realtime.messages
  for insert to authenticated
  with check (
    realtime.messages.extension = 'presence'
    and split_part(realtime.topic(), ':', 1) = 'generation'
    and exists (
      select 1
        from public.code_generations g
        join public.project_members m on m.project_id = g.project_id
       where g.id::text = split_part(realtime.topic(), ':', 2)
         and m.user_id = (select auth.uid())));
