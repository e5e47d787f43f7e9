-- The client CRM of a project: its WhatsApp numbers (channels), clients, their messages in and
-- out (with every send attempt), what happened to them (events), message templates and the
-- classifier's rules. Everything belongs to one project; 20261129003010_crm_security.sql says
-- who may do what.

create extension if not exists pg_trgm with schema extensions;
create extension if not exists btree_gin with schema extensions;

-- ---------------------------------------------------------------------------
-- Channels: a WhatsApp Business number (Meta's phone_number_id) connected to one project.
-- ---------------------------------------------------------------------------
create table public.crm_channels (
  id                   uuid primary key default gen_random_uuid(),
  project_id           uuid not null references public.projects (id) on delete cascade,
  -- Meta's id of the business number: deliveries name it, and it routes them to the project.
  phone_number_id      text not null
                         constraint crm_channels_phone_number_id_key unique
                         constraint crm_channels_phone_number_id_format
                         check (phone_number_id ~ '^[0-9]{1,32}$'),
  display_phone_number text
                         constraint crm_channels_display_phone_number_length
                         check (char_length(display_phone_number) <= 32),
  waba_id              text
                         constraint crm_channels_waba_id_format check (waba_id ~ '^[0-9]{1,32}$'),
  name                 text not null
                         constraint crm_channels_name_length check (char_length(name) between 1 and 120),
  -- The Graph API access token, AES-GCM encrypted by the API (`v1.<iv>.<ciphertext>`, bound
  -- to the channel id). Never granted to API roles for reading.
  access_token         text not null
                         constraint crm_channels_access_token_format
                         check (access_token ~ '^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$'),
  created_at           timestamptz not null default now(),
  updated_at           timestamptz not null default now()
);

comment on table public.crm_channels is
  'WhatsApp Business numbers of a project; phone_number_id routes deliveries to it.';

create index crm_channels_project_id_created_at_id_idx
  on public.crm_channels (project_id, created_at, id);

-- ---------------------------------------------------------------------------
-- Clients: one per phone number per project.
-- ---------------------------------------------------------------------------
create table public.crm_clients (
  id                 uuid primary key default gen_random_uuid(),
  project_id         uuid not null references public.projects (id) on delete cascade,
  -- E.164: what WhatsApp identifies a person by.
  phone              text not null
                       constraint crm_clients_phone_format check (phone ~ '^\+[1-9][0-9]{6,14}$'),
  name               text not null
                       constraint crm_clients_name_length check (char_length(name) between 1 and 200),
  email              text
                       constraint crm_clients_email_format
                       check (char_length(email) <= 320 and email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
  profile_type       text
                       constraint crm_clients_profile_type_format
                       check (profile_type ~ '^[a-z0-9][a-z0-9_-]{0,49}$'),
  profile_confidence double precision
                       constraint crm_clients_profile_confidence_range
                       check (profile_confidence between 0 and 1),
  -- Who set profile_type: a person (the classifier never overrides them) or the classifier.
  profile_source     text
                       constraint crm_clients_profile_source_check
                       check (profile_source in ('manual', 'classifier')),
  status             text not null default 'new'
                       constraint crm_clients_status_check
                       check (status in ('new', 'active', 'waiting', 'closed', 'archived')),
  tags               text[] not null default '{}'
                       constraint crm_clients_tags_count check (cardinality(tags) <= 50),
  notes              text
                       constraint crm_clients_notes_length check (char_length(notes) <= 20000),
  -- The number the client last wrote to; replies go out through it.
  channel_id         uuid references public.crm_channels (id) on delete set null,
  -- When the client last wrote (Meta's time): the 24-hour customer service window.
  last_inbound_at    timestamptz,
  last_activity_at   timestamptz not null default now(),
  archived_at        timestamptz,
  -- What the search reads: name, email and the phone's digits, lowercased.
  search_text        text generated always as (
                       lower(name) || ' ' || lower(coalesce(email, '')) || ' '
                       || regexp_replace(phone, '[^0-9]', '', 'g')) stored,
  created_at         timestamptz not null default now(),
  updated_at         timestamptz not null default now(),
  constraint crm_clients_project_phone_key unique (project_id, phone),
  constraint crm_clients_archived_when check ((status = 'archived') = (archived_at is not null))
);

comment on table public.crm_clients is
  'Clients of a project''s CRM: phone unique per project, email unique per project ignoring case.';

-- An email is unique per project whatever its case.
create unique index crm_clients_project_email_key
  on public.crm_clients (project_id, lower(email)) where email is not null;
create index crm_clients_channel_id_idx on public.crm_clients (channel_id);
-- The list's three sorts, each paging on (key, id) inside one project.
create index crm_clients_project_activity_idx
  on public.crm_clients (project_id, last_activity_at, id);
create index crm_clients_project_created_idx on public.crm_clients (project_id, created_at, id);
create index crm_clients_project_name_idx on public.crm_clients (project_id, name, id);
-- The search: `%q%` within one project, read through trigrams (private.crm_client_ids_matching).
create index crm_clients_search_idx
  on public.crm_clients using gin (project_id, search_text extensions.gin_trgm_ops);

create trigger crm_clients_set_updated_at
  before update on public.crm_clients
  for each row execute function public.set_updated_at();

-- ---------------------------------------------------------------------------
-- Templates: messages prepared once, sent many times. `template` is a template approved by
-- Meta (sent as such, allowed outside the 24-hour window); `buttons` and `list` are
-- interactive messages (free-form, so only inside the window).
-- ---------------------------------------------------------------------------
create table public.crm_templates (
  id         uuid primary key default gen_random_uuid(),
  project_id uuid not null references public.projects (id) on delete cascade,
  name       text not null
               constraint crm_templates_name_format
               check (name ~ '^[a-z0-9_]+$' and char_length(name) <= 512),
  language   text not null
               constraint crm_templates_language_format
               check (language ~ '^[a-z]{2,3}(_[A-Za-z]{2,4})?$'),
  kind       text not null
               constraint crm_templates_kind_check check (kind in ('template', 'buttons', 'list')),
  body       text not null
               constraint crm_templates_body_length check (char_length(body) between 1 and 1024),
  -- [{name, example?}]: the body's {{name}} placeholders, in order.
  parameters jsonb not null default '[]'
               constraint crm_templates_parameters_array check (jsonb_typeof(parameters) = 'array'),
  buttons    jsonb not null default '[]'
               constraint crm_templates_buttons_array check (jsonb_typeof(buttons) = 'array'),
  list       jsonb
               constraint crm_templates_list_object check (jsonb_typeof(list) = 'object'),
  footer     text
               constraint crm_templates_footer_length check (char_length(footer) between 1 and 60),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint crm_templates_name_language_key unique (project_id, name, language),
  constraint crm_templates_size check (
    octet_length(parameters::text) + octet_length(buttons::text)
      + coalesce(octet_length(list::text), 0) <= 65536)
);

create index crm_templates_project_created_idx on public.crm_templates (project_id, created_at, id);

create trigger crm_templates_set_updated_at
  before update on public.crm_templates
  for each row execute function public.set_updated_at();

-- ---------------------------------------------------------------------------
-- Messages, in and out. Inbound ones are keyed by Meta's wamid (processed once); outbound
-- ones get theirs when Meta accepts them. Status only moves forward (status_rank).
-- ---------------------------------------------------------------------------
create table public.crm_messages (
  id          uuid primary key default gen_random_uuid(),
  project_id  uuid not null references public.projects (id) on delete cascade,
  client_id   uuid not null references public.crm_clients (id) on delete cascade,
  channel_id  uuid references public.crm_channels (id) on delete set null,
  direction   text not null constraint crm_messages_direction_check check (direction in ('in', 'out')),
  wamid       text constraint crm_messages_wamid_key unique,
  type        text not null constraint crm_messages_type_format check (type ~ '^[a-z_]{1,32}$'),
  -- What a person reads: the text, a caption, a reply's title, a summary of a location…
  body        text constraint crm_messages_body_length check (char_length(body) <= 8192),
  -- Inbound: the message as Meta sent it. Outbound: what is sent to the Graph API.
  content     jsonb not null default '{}'
                constraint crm_messages_content_object check (jsonb_typeof(content) = 'object')
                constraint crm_messages_content_size check (octet_length(content::text) <= 131072),
  -- Media: {id, mime_type, sha256, filename, state: pending | stored | reference | failed, path}.
  media       jsonb constraint crm_messages_media_object check (jsonb_typeof(media) = 'object'),
  status      text not null
                constraint crm_messages_status_check check (status in (
                  'received', 'queued', 'sending', 'accepted', 'sent', 'delivered', 'read',
                  'failed')),
  status_rank smallint not null default 0,
  -- Every status Meta reported, with its time: {"sent": "...", "read": "..."}.
  statuses    jsonb not null default '{}'
                constraint crm_messages_statuses_object check (jsonb_typeof(statuses) = 'object'),
  -- Why it failed: Meta's error (code, title, details) or the worker's.
  error       jsonb,
  template_id uuid references public.crm_templates (id) on delete set null,
  -- Who sent it (kept after the account is gone, like the audit log).
  sent_by     uuid,
  -- The wamid this message replies to or reacts to.
  reply_to    text constraint crm_messages_reply_to_length check (char_length(reply_to) <= 256),
  -- When it happened: Meta's timestamp for inbound messages, the request's for outbound ones.
  occurred_at timestamptz not null,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  constraint crm_messages_direction_status check (
    (direction = 'in') = (status = 'received'))
);

comment on table public.crm_messages is
  'WhatsApp messages of a client, in and out; status only moves forward.';

create index crm_messages_client_timeline_idx on public.crm_messages (client_id, occurred_at, id);
create index crm_messages_project_occurred_idx on public.crm_messages (project_id, occurred_at, id);
create index crm_messages_channel_id_idx on public.crm_messages (channel_id);
create index crm_messages_template_id_idx on public.crm_messages (template_id);

create trigger crm_messages_set_updated_at
  before update on public.crm_messages
  for each row execute function public.set_updated_at();

-- Every call the worker made to the Graph API for a message, including those retried.
create table public.crm_message_attempts (
  id          bigint generated always as identity primary key,
  message_id  uuid not null references public.crm_messages (id) on delete cascade,
  operation   text not null
                constraint crm_message_attempts_operation_check
                check (operation in ('send_message', 'get_media', 'download_media')),
  attempt     int not null constraint crm_message_attempts_attempt_positive check (attempt > 0),
  http_status int,
  error_code  int,
  error       text constraint crm_message_attempts_error_length check (char_length(error) <= 2000),
  duration_ms int not null,
  retry_in_ms int,
  at          timestamptz not null default now()
);

create index crm_message_attempts_message_id_idx on public.crm_message_attempts (message_id, id);

-- ---------------------------------------------------------------------------
-- What happened to a client besides messages: created, profile type set (by the classifier
-- or by hand, and why), status changes. The timeline merges these with the messages.
-- ---------------------------------------------------------------------------
create table public.crm_client_events (
  id          uuid primary key default gen_random_uuid(),
  project_id  uuid not null references public.projects (id) on delete cascade,
  client_id   uuid not null references public.crm_clients (id) on delete cascade,
  kind        text not null
                constraint crm_client_events_kind_check
                check (kind in ('created', 'classified', 'profile_changed', 'status_changed')),
  data        jsonb not null default '{}'
                constraint crm_client_events_data_object check (jsonb_typeof(data) = 'object'),
  -- The user who did it; null for the system (the worker, a webhook).
  actor_id    uuid,
  occurred_at timestamptz not null default now()
);

create index crm_client_events_client_timeline_idx
  on public.crm_client_events (client_id, occurred_at, id);
create index crm_client_events_project_id_idx on public.crm_client_events (project_id);

-- ---------------------------------------------------------------------------
-- The classifier: a project's rules (profile types and the words and phrases that suggest
-- them) and the confidence a suggestion needs before it changes a client's profile type.
-- ---------------------------------------------------------------------------
create table public.crm_classifiers (
  project_id uuid primary key references public.projects (id) on delete cascade,
  threshold  double precision not null default 0.7
               constraint crm_classifiers_threshold_range check (threshold > 0 and threshold <= 1),
  -- [{profile_type, terms: [..]}]
  rules      jsonb not null default '[]'
               constraint crm_classifiers_rules_array check (jsonb_typeof(rules) = 'array')
               constraint crm_classifiers_rules_size check (octet_length(rules::text) <= 65536),
  updated_at timestamptz not null default now()
);

create trigger crm_classifiers_set_updated_at
  before update on public.crm_classifiers
  for each row execute function public.set_updated_at();
