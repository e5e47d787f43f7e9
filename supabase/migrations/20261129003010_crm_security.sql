-- Who may do what in a project's CRM. Members read; owners and editors write clients,
-- templates, the classifier and outbound messages; only owners connect numbers (channels hold
-- Meta credentials). Administrators who are not members see nothing: a CRM holds clients'
-- personal data and conversations, private to the project like its history. service_role
-- (the webhook and the worker) bypasses RLS; anon gets nothing.

-- ---------------------------------------------------------------------------
-- Privileges. RLS narrows rows; grants narrow columns. The channel's access token is never
-- readable by API roles; messages' wamid, status and content after sending are the worker's.
-- ---------------------------------------------------------------------------
revoke all on table public.crm_channels, public.crm_clients, public.crm_templates,
  public.crm_messages, public.crm_message_attempts, public.crm_client_events,
  public.crm_classifiers
  from public, anon, authenticated;

grant select (id, project_id, phone_number_id, display_phone_number, waba_id, name, created_at,
              updated_at)
  on table public.crm_channels to authenticated;
grant insert (id, project_id, phone_number_id, display_phone_number, waba_id, name, access_token)
  on table public.crm_channels to authenticated;
grant update (display_phone_number, waba_id, name, access_token)
  on table public.crm_channels to authenticated;
grant delete on table public.crm_channels to authenticated;

grant select, delete on table public.crm_clients to authenticated;
grant insert (id, project_id, phone, name, email, profile_type, profile_confidence,
              profile_source, status, tags, notes, channel_id, archived_at)
  on table public.crm_clients to authenticated;
grant update (phone, name, email, profile_type, profile_confidence, profile_source, status, tags,
              notes, channel_id, archived_at, last_activity_at)
  on table public.crm_clients to authenticated;

grant select, delete on table public.crm_templates to authenticated;
grant insert (id, project_id, name, language, kind, body, parameters, buttons, list, footer)
  on table public.crm_templates to authenticated;
grant update (name, language, kind, body, parameters, buttons, list, footer)
  on table public.crm_templates to authenticated;

grant select on table public.crm_messages to authenticated;
grant insert (id, project_id, client_id, channel_id, direction, type, body, content, status,
              template_id, sent_by, occurred_at)
  on table public.crm_messages to authenticated;

grant select on table public.crm_message_attempts, public.crm_client_events to authenticated;

grant select on table public.crm_classifiers to authenticated;
grant insert (project_id, threshold, rules) on table public.crm_classifiers to authenticated;
grant update (threshold, rules) on table public.crm_classifiers to authenticated;

grant select, insert, update, delete on table public.crm_channels, public.crm_clients,
  public.crm_templates, public.crm_messages, public.crm_message_attempts,
  public.crm_client_events, public.crm_classifiers
  to service_role;

alter table public.crm_channels enable row level security;
alter table public.crm_clients enable row level security;
alter table public.crm_templates enable row level security;
alter table public.crm_messages enable row level security;
alter table public.crm_message_attempts enable row level security;
alter table public.crm_client_events enable row level security;
alter table public.crm_classifiers enable row level security;

-- ---------------------------------------------------------------------------
-- Same-project checks for the policies below. Security definer, so a policy can look at a
-- row the caller's own RLS would decide again (and so a hidden row answers false, not an
-- error); each looks up one row by primary key.
-- ---------------------------------------------------------------------------
create or replace function private.crm_channel_in_project(p_channel uuid, p_project uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (select 1 from public.crm_channels c where c.id = p_channel and c.project_id = p_project)
$$;

create or replace function private.crm_client_in_project(p_client uuid, p_project uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (select 1 from public.crm_clients c where c.id = p_client and c.project_id = p_project)
$$;

create or replace function private.crm_template_in_project(p_template uuid, p_project uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (select 1 from public.crm_templates t where t.id = p_template and t.project_id = p_project)
$$;

-- The ids of the project's clients whose name, email or phone contains the pattern (an ILIKE
-- pattern, already escaped), for members of the project only. ILIKE is not leakproof, so
-- under RLS it could never use the trigram index; here (no RLS) it can, and the membership
-- check is the same rule the select policy applies.
create or replace function private.crm_client_ids_matching(p_project uuid, p_pattern text)
returns uuid[]
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(array_agg(c.id), '{}')
    from public.crm_clients c
   where c.project_id = p_project
     and c.search_text like lower(p_pattern)
     and private.is_project_member(p_project)
$$;

revoke execute on function
  private.crm_channel_in_project(uuid, uuid),
  private.crm_client_in_project(uuid, uuid),
  private.crm_template_in_project(uuid, uuid),
  private.crm_client_ids_matching(uuid, text)
  from public, anon;
grant execute on function
  private.crm_channel_in_project(uuid, uuid),
  private.crm_client_in_project(uuid, uuid),
  private.crm_template_in_project(uuid, uuid),
  private.crm_client_ids_matching(uuid, text)
  to authenticated, service_role;

-- ---------------------------------------------------------------------------
-- Policies.
-- ---------------------------------------------------------------------------

-- Members see the numbers connected to their projects (never their tokens: see the grants).
create policy crm_channels_select on public.crm_channels
  for select to authenticated using (private.is_project_member(project_id));

-- Only owners connect, change and remove numbers.
create policy crm_channels_insert on public.crm_channels
  for insert to authenticated
  with check (private.has_project_role(project_id, array['owner']::public.project_role[]));
create policy crm_channels_update on public.crm_channels
  for update to authenticated
  using (private.has_project_role(project_id, array['owner']::public.project_role[]))
  with check (private.has_project_role(project_id, array['owner']::public.project_role[]));
create policy crm_channels_delete on public.crm_channels
  for delete to authenticated
  using (private.has_project_role(project_id, array['owner']::public.project_role[]));

-- Members see their projects' clients.
create policy crm_clients_select on public.crm_clients
  for select to authenticated using (private.is_project_member(project_id));

-- Owners and editors add, edit, archive and remove clients; a client's number must be one of
-- the same project's.
create policy crm_clients_insert on public.crm_clients
  for insert to authenticated
  with check (
    private.has_project_role(project_id, array['owner', 'editor']::public.project_role[])
    and (channel_id is null or private.crm_channel_in_project(channel_id, project_id)));
create policy crm_clients_update on public.crm_clients
  for update to authenticated
  using (private.has_project_role(project_id, array['owner', 'editor']::public.project_role[]))
  with check (
    private.has_project_role(project_id, array['owner', 'editor']::public.project_role[])
    and (channel_id is null or private.crm_channel_in_project(channel_id, project_id)));
create policy crm_clients_delete on public.crm_clients
  for delete to authenticated
  using (private.has_project_role(project_id, array['owner', 'editor']::public.project_role[]));

-- Members see templates; owners and editors manage them.
create policy crm_templates_select on public.crm_templates
  for select to authenticated using (private.is_project_member(project_id));
create policy crm_templates_insert on public.crm_templates
  for insert to authenticated
  with check (private.has_project_role(project_id, array['owner', 'editor']::public.project_role[]));
create policy crm_templates_update on public.crm_templates
  for update to authenticated
  using (private.has_project_role(project_id, array['owner', 'editor']::public.project_role[]))
  with check (private.has_project_role(project_id, array['owner', 'editor']::public.project_role[]));
create policy crm_templates_delete on public.crm_templates
  for delete to authenticated
  using (private.has_project_role(project_id, array['owner', 'editor']::public.project_role[]));

-- Members read the conversations of their projects.
create policy crm_messages_select on public.crm_messages
  for select to authenticated using (private.is_project_member(project_id));

-- Owners and editors queue outbound messages in their own name, to a client, through a number
-- and with a template of the same project, untouched by the worker yet. Nothing else is
-- written by users: inbound messages, statuses and wamids come from service_role.
create policy crm_messages_insert on public.crm_messages
  for insert to authenticated
  with check (
    direction = 'out' and status = 'queued' and sent_by = (select auth.uid())
    and private.has_project_role(project_id, array['owner', 'editor']::public.project_role[])
    and private.crm_client_in_project(client_id, project_id)
    and (channel_id is null or private.crm_channel_in_project(channel_id, project_id))
    and (template_id is null or private.crm_template_in_project(template_id, project_id)));

-- Whoever may read a message reads its attempts: the subquery runs under the messages' own
-- policies, so the two never disagree.
create policy crm_message_attempts_select on public.crm_message_attempts
  for select to authenticated
  using (exists (select 1 from public.crm_messages m where m.id = message_id));

-- Members read what happened to their projects' clients; only triggers and the worker write.
create policy crm_client_events_select on public.crm_client_events
  for select to authenticated using (private.is_project_member(project_id));

-- Members read the classifier; owners and editors edit it.
create policy crm_classifiers_select on public.crm_classifiers
  for select to authenticated using (private.is_project_member(project_id));
create policy crm_classifiers_insert on public.crm_classifiers
  for insert to authenticated
  with check (private.has_project_role(project_id, array['owner', 'editor']::public.project_role[]));
create policy crm_classifiers_update on public.crm_classifiers
  for update to authenticated
  using (private.has_project_role(project_id, array['owner', 'editor']::public.project_role[]))
  with check (private.has_project_role(project_id, array['owner', 'editor']::public.project_role[]));

-- As on every user-reachable table: aal1 sessions of users with a verified factor get nothing.
do $$
declare
  t text;
begin
  foreach t in array array[
    'crm_channels', 'crm_clients', 'crm_templates', 'crm_messages', 'crm_message_attempts',
    'crm_client_events', 'crm_classifiers'
  ] loop
    execute format(
      'create policy %I on public.%I as restrictive for all to authenticated
         using ((select private.mfa_satisfied())) with check ((select private.mfa_satisfied()))',
      t || '_mfa', t);
  end loop;
end;
$$;

-- ---------------------------------------------------------------------------
-- Events: a new client, and every change of its profile type or status, written by a trigger
-- whoever made the change (a user through the API, the classifier in the worker), with the
-- user who made it. Security definer: users read events but never write them.
-- ---------------------------------------------------------------------------
create or replace function private.crm_clients_record_event()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_actor uuid := (select auth.uid());
begin
  if tg_op = 'INSERT' then
    insert into public.crm_client_events (project_id, client_id, kind, data, actor_id)
    values (new.project_id, new.id, 'created',
            jsonb_build_object('source', case when v_actor is null then 'whatsapp' else 'manual' end),
            v_actor);
    return null;
  end if;
  if new.profile_type is distinct from old.profile_type then
    insert into public.crm_client_events (project_id, client_id, kind, data, actor_id)
    values (new.project_id, new.id, 'profile_changed', jsonb_build_object(
              'from', old.profile_type, 'to', new.profile_type,
              'source', coalesce(new.profile_source, 'manual'),
              'confidence', new.profile_confidence),
            v_actor);
  end if;
  if new.status is distinct from old.status then
    insert into public.crm_client_events (project_id, client_id, kind, data, actor_id)
    values (new.project_id, new.id, 'status_changed',
            jsonb_build_object('from', old.status, 'to', new.status), v_actor);
  end if;
  return null;
end;
$$;

revoke execute on function private.crm_clients_record_event() from public, anon, authenticated;

create trigger crm_clients_record_event
  after insert or update of profile_type, status on public.crm_clients
  for each row execute function private.crm_clients_record_event();

-- ---------------------------------------------------------------------------
-- Live inbox: every new or changed message, client and event is broadcast on the project's
-- private Realtime channel `crm:<project id>` in the writer's transaction, so it reaches an
-- open inbox only once committed (and never after a rollback). Payloads carry what a list
-- shows, never a channel's token.
-- ---------------------------------------------------------------------------
create or replace function private.crm_broadcast()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_event   text;
  v_payload jsonb;
begin
  if tg_table_name = 'crm_messages' then
    v_event := case when tg_op = 'INSERT' then 'message' else 'message_updated' end;
    v_payload := jsonb_build_object(
      'id', new.id, 'client_id', new.client_id, 'channel_id', new.channel_id,
      'direction', new.direction, 'type', new.type, 'body', left(new.body, 1000),
      'status', new.status, 'error', new.error,
      'media', case when new.media is null then null else new.media - 'id' end,
      'occurred_at', new.occurred_at);
  elsif tg_table_name = 'crm_clients' then
    if tg_op = 'DELETE' then
      perform realtime.send(jsonb_build_object('id', old.id), 'client_deleted',
                            'crm:' || old.project_id::text, true);
      return null;
    end if;
    v_event := 'client';
    v_payload := jsonb_build_object(
      'id', new.id, 'name', new.name, 'phone', new.phone, 'status', new.status,
      'profile_type', new.profile_type, 'tags', to_jsonb(new.tags),
      'last_activity_at', new.last_activity_at);
  else
    v_event := 'client_event';
    v_payload := jsonb_build_object(
      'id', new.id, 'client_id', new.client_id, 'kind', new.kind, 'data', new.data,
      'occurred_at', new.occurred_at);
  end if;
  perform realtime.send(v_payload, v_event, 'crm:' || new.project_id::text, true);
  return null;
end;
$$;

revoke execute on function private.crm_broadcast() from public, anon, authenticated;

create trigger crm_messages_broadcast
  after insert or update of status, media, error on public.crm_messages
  for each row execute function private.crm_broadcast();
create trigger crm_clients_broadcast
  after insert or delete or update of name, phone, email, status, profile_type, tags
  on public.crm_clients
  for each row execute function private.crm_broadcast();
create trigger crm_client_events_broadcast
  after insert on public.crm_client_events
  for each row execute function private.crm_broadcast();

-- The private channel crm:<project id>: members of the project, and only they, receive it
-- (and see who else has the inbox open); they may announce themselves (presence) but never
-- broadcast on it, so no client can forge a message. The id is compared as text, so a
-- malformed topic never raises.
create policy crm_channel_read on realtime.messages
  for select to authenticated
  using (
    realtime.messages.extension in ('broadcast', 'presence')
    and split_part(realtime.topic(), ':', 1) = 'crm'
    and (select private.mfa_satisfied())
    and exists (
      select 1 from public.project_members m
       where m.project_id::text = split_part(realtime.topic(), ':', 2)
         and m.user_id = (select auth.uid())));

create policy crm_channel_presence on realtime.messages
  for insert to authenticated
  with check (
    realtime.messages.extension = 'presence'
    and split_part(realtime.topic(), ':', 1) = 'crm'
    and (select private.mfa_satisfied())
    and exists (
      select 1 from public.project_members m
       where m.project_id::text = split_part(realtime.topic(), ':', 2)
         and m.user_id = (select auth.uid())));
