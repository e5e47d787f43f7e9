-- Supabase compatibility bootstrap for a vanilla PostgreSQL.
--
-- Production runs on Supabase, where the platform creates the API roles, the
-- `extensions`, `auth`, `storage`, `realtime` and `supabase_migrations` schemas
-- and their grants before any project migration runs. Local development and
-- tests use a plain PostgreSQL 17 instead. This file recreates the subset of
-- that platform schema this project's migrations and RLS policies rely on, so
-- the migrations in supabase/migrations/ apply and behave the same way here.
--
-- It is NOT a migration and must never be copied into supabase/migrations/:
-- on Supabase all of this already exists and is owned by the platform.
--
-- Run it as a superuser (usually `postgres`) before the migrations. It is
-- idempotent: running it again changes nothing, and it never drops or rewrites
-- data. Tables, columns, defaults, constraint and index names follow the
-- definitions Supabase Auth (GoTrue), Storage and Realtime create.

set client_min_messages = warning;

begin;

-- ---------------------------------------------------------------------------
-- Roles: PostgREST switches to anon / authenticated / service_role per request;
-- RLS policies and grants in the migrations name these roles.
-- ---------------------------------------------------------------------------
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'supabase_auth_admin') then
    create role supabase_auth_admin nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'supabase_storage_admin') then
    create role supabase_storage_admin nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'supabase_realtime_admin') then
    create role supabase_realtime_admin nologin noinherit noreplication;
  end if;
end
$$;

grant anon, authenticated, service_role to authenticator;

-- Lets the connecting superuser (tests, seeds) `set role` to the API roles.
grant anon, authenticated, service_role to current_user;

-- ---------------------------------------------------------------------------
-- Extensions live in their own schema on Supabase.
-- ---------------------------------------------------------------------------
create schema if not exists extensions;
create extension if not exists pgcrypto with schema extensions;
create extension if not exists "uuid-ossp" with schema extensions;

grant usage on schema extensions to anon, authenticated, service_role;

-- Supabase puts `extensions` on the search path, so migrations may call
-- gen_random_bytes(), crypt(), uuid_generate_v4() ... unqualified.
do $$
begin
  execute format(
    'alter database %I set search_path to "$user", public, extensions',
    current_database()
  );
end
$$;

-- ---------------------------------------------------------------------------
-- auth: the tables Supabase Auth (GoTrue) owns. Migrations reference
-- auth.users (foreign keys, triggers) and policies call auth.uid().
-- ---------------------------------------------------------------------------
create schema if not exists auth;

do $$ begin
  create type auth.aal_level as enum ('aal1', 'aal2', 'aal3');
exception when duplicate_object then null;
end $$;

do $$ begin
  create type auth.factor_type as enum ('totp', 'webauthn', 'phone');
exception when duplicate_object then null;
end $$;

do $$ begin
  create type auth.factor_status as enum ('unverified', 'verified');
exception when duplicate_object then null;
end $$;

do $$ begin
  create type auth.code_challenge_method as enum ('s256', 'plain');
exception when duplicate_object then null;
end $$;

do $$ begin
  create type auth.one_time_token_type as enum (
    'confirmation_token',
    'reauthentication_token',
    'recovery_token',
    'email_change_token_new',
    'email_change_token_current',
    'phone_change_token'
  );
exception when duplicate_object then null;
end $$;

create table if not exists auth.users (
  instance_id                 uuid,
  id                          uuid not null,
  aud                         varchar(255),
  role                        varchar(255),
  email                       varchar(255),
  encrypted_password          varchar(255),
  email_confirmed_at          timestamptz,
  invited_at                  timestamptz,
  confirmation_token          varchar(255),
  confirmation_sent_at        timestamptz,
  recovery_token              varchar(255),
  recovery_sent_at            timestamptz,
  email_change_token_new      varchar(255),
  email_change                varchar(255),
  email_change_sent_at        timestamptz,
  last_sign_in_at             timestamptz,
  raw_app_meta_data           jsonb,
  raw_user_meta_data          jsonb,
  is_super_admin              boolean,
  created_at                  timestamptz,
  updated_at                  timestamptz,
  phone                       text default null,
  phone_confirmed_at          timestamptz,
  phone_change                text default '',
  phone_change_token          varchar(255) default '',
  phone_change_sent_at        timestamptz,
  confirmed_at                timestamptz
                                generated always as (least(email_confirmed_at, phone_confirmed_at)) stored,
  email_change_token_current  varchar(255) default '',
  email_change_confirm_status smallint default 0,
  banned_until                timestamptz,
  reauthentication_token      varchar(255) default '',
  reauthentication_sent_at    timestamptz,
  is_sso_user                 boolean not null default false,
  deleted_at                  timestamptz,
  is_anonymous                boolean not null default false,
  constraint users_pkey primary key (id),
  constraint users_phone_key unique (phone),
  constraint users_email_change_confirm_status_check
    check (email_change_confirm_status >= 0 and email_change_confirm_status <= 2)
);

-- SSO users may share an email; everyone else may not.
create unique index if not exists users_email_partial_key
  on auth.users (email) where (is_sso_user = false);
create index if not exists users_instance_id_email_idx
  on auth.users (instance_id, lower(email::text));
create index if not exists users_instance_id_idx on auth.users (instance_id);
create index if not exists users_is_anonymous_idx on auth.users (is_anonymous);
-- Token columns hold either a token or a numeric OTP; only tokens are unique.
create unique index if not exists confirmation_token_idx
  on auth.users (confirmation_token) where (confirmation_token::text !~ '^[0-9 ]*$');
create unique index if not exists recovery_token_idx
  on auth.users (recovery_token) where (recovery_token::text !~ '^[0-9 ]*$');
create unique index if not exists email_change_token_current_idx
  on auth.users (email_change_token_current) where (email_change_token_current::text !~ '^[0-9 ]*$');
create unique index if not exists email_change_token_new_idx
  on auth.users (email_change_token_new) where (email_change_token_new::text !~ '^[0-9 ]*$');
create unique index if not exists reauthentication_token_idx
  on auth.users (reauthentication_token) where (reauthentication_token::text !~ '^[0-9 ]*$');

create table if not exists auth.identities (
  provider_id     text not null,
  user_id         uuid not null,
  identity_data   jsonb not null,
  provider        text not null,
  last_sign_in_at timestamptz,
  created_at      timestamptz,
  updated_at      timestamptz,
  email           text generated always as (lower(identity_data ->> 'email')) stored,
  id              uuid not null default gen_random_uuid(),
  constraint identities_pkey primary key (id),
  constraint identities_provider_id_provider_unique unique (provider_id, provider),
  constraint identities_user_id_fkey foreign key (user_id)
    references auth.users (id) on delete cascade
);

create index if not exists identities_email_idx on auth.identities (email text_pattern_ops);
create index if not exists identities_user_id_idx on auth.identities (user_id);

create table if not exists auth.sessions (
  id           uuid not null,
  user_id      uuid not null,
  created_at   timestamptz,
  updated_at   timestamptz,
  factor_id    uuid,
  aal          auth.aal_level,
  not_after    timestamptz,
  refreshed_at timestamp,
  user_agent   text,
  ip           inet,
  tag          text,
  constraint sessions_pkey primary key (id),
  constraint sessions_user_id_fkey foreign key (user_id)
    references auth.users (id) on delete cascade
);

create index if not exists sessions_not_after_idx on auth.sessions (not_after desc);
create index if not exists sessions_user_id_idx on auth.sessions (user_id);
create index if not exists user_id_created_at_idx on auth.sessions (user_id, created_at);

create table if not exists auth.refresh_tokens (
  instance_id uuid,
  id          bigserial not null,
  token       varchar(255),
  user_id     varchar(255),
  revoked     boolean,
  created_at  timestamptz,
  updated_at  timestamptz,
  parent      varchar(255),
  session_id  uuid,
  constraint refresh_tokens_pkey primary key (id),
  constraint refresh_tokens_token_unique unique (token),
  constraint refresh_tokens_session_id_fkey foreign key (session_id)
    references auth.sessions (id) on delete cascade
);

create index if not exists refresh_tokens_instance_id_idx on auth.refresh_tokens (instance_id);
create index if not exists refresh_tokens_instance_id_user_id_idx
  on auth.refresh_tokens (instance_id, user_id);
create index if not exists refresh_tokens_parent_idx on auth.refresh_tokens (parent);
create index if not exists refresh_tokens_session_id_revoked_idx
  on auth.refresh_tokens (session_id, revoked);
create index if not exists refresh_tokens_updated_at_idx on auth.refresh_tokens (updated_at desc);

create table if not exists auth.mfa_factors (
  id                 uuid not null,
  user_id            uuid not null,
  friendly_name      text,
  factor_type        auth.factor_type not null,
  status             auth.factor_status not null,
  created_at         timestamptz not null,
  updated_at         timestamptz not null,
  secret             text,
  phone              text,
  last_challenged_at timestamptz,
  constraint mfa_factors_pkey primary key (id),
  constraint mfa_factors_last_challenged_at_key unique (last_challenged_at),
  constraint mfa_factors_user_id_fkey foreign key (user_id)
    references auth.users (id) on delete cascade
);

create index if not exists factor_id_created_at_idx on auth.mfa_factors (user_id, created_at);
create index if not exists mfa_factors_user_id_idx on auth.mfa_factors (user_id);
create unique index if not exists mfa_factors_user_friendly_name_unique
  on auth.mfa_factors (friendly_name, user_id) where (trim(friendly_name) <> '');
create unique index if not exists unique_phone_factor_per_user on auth.mfa_factors (user_id, phone);

create table if not exists auth.mfa_challenges (
  id          uuid not null,
  factor_id   uuid not null,
  created_at  timestamptz not null,
  verified_at timestamptz,
  ip_address  inet not null,
  otp_code    text,
  constraint mfa_challenges_pkey primary key (id),
  constraint mfa_challenges_auth_factor_id_fkey foreign key (factor_id)
    references auth.mfa_factors (id) on delete cascade
);

create index if not exists mfa_challenge_created_at_idx on auth.mfa_challenges (created_at desc);

create table if not exists auth.mfa_amr_claims (
  session_id            uuid not null,
  created_at            timestamptz not null,
  updated_at            timestamptz not null,
  authentication_method text not null,
  id                    uuid not null,
  constraint amr_id_pk primary key (id),
  constraint mfa_amr_claims_session_id_authentication_method_pkey
    unique (session_id, authentication_method),
  constraint mfa_amr_claims_session_id_fkey foreign key (session_id)
    references auth.sessions (id) on delete cascade
);

create table if not exists auth.one_time_tokens (
  id          uuid not null,
  user_id     uuid not null,
  token_type  auth.one_time_token_type not null,
  token_hash  text not null,
  relates_to  text not null,
  created_at  timestamp not null default now(),
  updated_at  timestamp not null default now(),
  constraint one_time_tokens_pkey primary key (id),
  constraint one_time_tokens_token_hash_check check (char_length(token_hash) > 0),
  constraint one_time_tokens_user_id_fkey foreign key (user_id)
    references auth.users (id) on delete cascade
);

create index if not exists one_time_tokens_token_hash_hash_idx
  on auth.one_time_tokens using hash (token_hash);
create index if not exists one_time_tokens_relates_to_hash_idx
  on auth.one_time_tokens using hash (relates_to);
create unique index if not exists one_time_tokens_user_id_token_type_key
  on auth.one_time_tokens (user_id, token_type);

-- PKCE / OAuth login flow state.
create table if not exists auth.flow_state (
  id                     uuid not null,
  user_id                uuid,
  auth_code              text,
  code_challenge_method  auth.code_challenge_method,
  code_challenge         text,
  provider_type          text not null,
  provider_access_token  text,
  provider_refresh_token text,
  created_at             timestamptz,
  updated_at             timestamptz,
  authentication_method  text not null,
  auth_code_issued_at    timestamptz,
  constraint flow_state_pkey primary key (id)
);

create index if not exists idx_auth_code on auth.flow_state (auth_code);
create index if not exists idx_user_id_auth_method on auth.flow_state (user_id, authentication_method);
create index if not exists flow_state_created_at_idx on auth.flow_state (created_at desc);

create table if not exists auth.audit_log_entries (
  instance_id uuid,
  id          uuid not null,
  payload     json,
  created_at  timestamptz,
  ip_address  varchar(64) not null default '',
  constraint audit_log_entries_pkey primary key (id)
);

create index if not exists audit_logs_instance_id_idx on auth.audit_log_entries (instance_id);

-- OAuth 2.1 server clients (GoTrue migrations 20250731150234 to 20260121000000, folded
-- into their final shape). The id is the public client_id; secrets are stored as hashes.
do $$ begin
  create type auth.oauth_registration_type as enum ('dynamic', 'manual');
exception when duplicate_object then null;
end $$;

do $$ begin
  create type auth.oauth_client_type as enum ('public', 'confidential');
exception when duplicate_object then null;
end $$;

create table if not exists auth.oauth_clients (
  id                         uuid not null,
  client_secret_hash         text,
  registration_type          auth.oauth_registration_type not null,
  redirect_uris              text not null,
  grant_types                text not null,
  client_name                text,
  client_uri                 text,
  logo_uri                   text,
  created_at                 timestamptz not null default now(),
  updated_at                 timestamptz not null default now(),
  deleted_at                 timestamptz,
  client_type                auth.oauth_client_type not null default 'confidential',
  token_endpoint_auth_method text not null,
  constraint oauth_clients_pkey primary key (id),
  constraint oauth_clients_client_name_length check (char_length(client_name) <= 1024),
  constraint oauth_clients_client_uri_length check (char_length(client_uri) <= 2048),
  constraint oauth_clients_logo_uri_length check (char_length(logo_uri) <= 2048),
  constraint oauth_clients_token_endpoint_auth_method_check
    check (token_endpoint_auth_method in ('client_secret_basic', 'client_secret_post', 'none'))
);

create index if not exists oauth_clients_deleted_at_idx on auth.oauth_clients (deleted_at);

alter table auth.sessions add column if not exists oauth_client_id uuid;
do $$ begin
  alter table auth.sessions add constraint sessions_oauth_client_id_fkey
    foreign key (oauth_client_id) references auth.oauth_clients (id) on delete cascade;
exception when duplicate_object then null;
end $$;
create index if not exists sessions_oauth_client_id_idx on auth.sessions (oauth_client_id);

alter table auth.oauth_clients enable row level security;

create table if not exists auth.schema_migrations (
  version varchar(255) not null,
  constraint schema_migrations_pkey primary key (version)
);

-- Supabase Auth enables RLS on all of its tables (no policies: API roles see nothing).
alter table auth.users             enable row level security;
alter table auth.identities        enable row level security;
alter table auth.sessions          enable row level security;
alter table auth.refresh_tokens    enable row level security;
alter table auth.mfa_factors       enable row level security;
alter table auth.mfa_challenges    enable row level security;
alter table auth.mfa_amr_claims    enable row level security;
alter table auth.one_time_tokens   enable row level security;
alter table auth.flow_state        enable row level security;
alter table auth.audit_log_entries enable row level security;
alter table auth.schema_migrations enable row level security;

-- ---------------------------------------------------------------------------
-- Claim helpers used by RLS policies. PostgREST puts the verified JWT in
-- `request.jwt.claims`; older versions set one `request.jwt.claim.<name>`
-- setting per claim, which is still read first.
-- ---------------------------------------------------------------------------
create or replace function auth.uid()
returns uuid
language sql stable
as $$
  select
    coalesce(
      nullif(current_setting('request.jwt.claim.sub', true), ''),
      (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
    )::uuid
$$;

create or replace function auth.role()
returns text
language sql stable
as $$
  select
    coalesce(
      nullif(current_setting('request.jwt.claim.role', true), ''),
      (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
    )::text
$$;

create or replace function auth.email()
returns text
language sql stable
as $$
  select
    coalesce(
      nullif(current_setting('request.jwt.claim.email', true), ''),
      (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
    )::text
$$;

create or replace function auth.jwt()
returns jsonb
language sql stable
as $$
  select
    coalesce(
      nullif(current_setting('request.jwt.claim', true), ''),
      nullif(current_setting('request.jwt.claims', true), '')
    )::jsonb
$$;

-- ---------------------------------------------------------------------------
-- storage: Supabase Storage keeps bucket and object metadata here; storage
-- policies are written against storage.objects.
-- ---------------------------------------------------------------------------
create schema if not exists storage;

create table if not exists storage.buckets (
  id                 text not null,
  name               text not null,
  owner              uuid,
  created_at         timestamptz default now(),
  updated_at         timestamptz default now(),
  public             boolean default false,
  avif_autodetection boolean default false,
  file_size_limit    bigint,
  allowed_mime_types text[],
  owner_id           text,
  constraint buckets_pkey primary key (id)
);

create unique index if not exists bname on storage.buckets (name);

-- Storage lists a bucket's kind; only STANDARD buckets hold objects.
do $$ begin
  create type storage.buckettype as enum ('STANDARD', 'ANALYTICS');
exception when duplicate_object then null;
end $$;

alter table storage.buckets
  add column if not exists type storage.buckettype not null default 'STANDARD';

create table if not exists storage.objects (
  id               uuid not null default gen_random_uuid(),
  bucket_id        text,
  name             text,
  owner            uuid,
  created_at       timestamptz default now(),
  updated_at       timestamptz default now(),
  last_accessed_at timestamptz default now(),
  metadata         jsonb,
  path_tokens      text[] generated always as (string_to_array(name, '/')) stored,
  version          text,
  owner_id         text,
  user_metadata    jsonb,
  constraint objects_pkey primary key (id),
  constraint "objects_bucketId_fkey" foreign key (bucket_id) references storage.buckets (id)
);

create unique index if not exists bucketid_objname on storage.objects (bucket_id, name);
create index if not exists name_prefix_search on storage.objects (name text_pattern_ops);

alter table storage.buckets enable row level security;
alter table storage.objects enable row level security;

-- Path helpers used in storage policies, e.g. (storage.foldername(name))[1] = auth.uid()::text.
create or replace function storage.foldername(name text)
returns text[]
language plpgsql immutable
as $$
declare
  _parts text[];
begin
  select string_to_array(name, '/') into _parts;
  return _parts[1 : array_length(_parts, 1) - 1];
end
$$;

create or replace function storage.filename(name text)
returns text
language plpgsql immutable
as $$
declare
  _parts text[];
begin
  select string_to_array(name, '/') into _parts;
  return _parts[array_length(_parts, 1)];
end
$$;

create or replace function storage.extension(name text)
returns text
language plpgsql immutable
as $$
declare
  _parts text[];
  _filename text;
begin
  select string_to_array(name, '/') into _parts;
  select _parts[array_length(_parts, 1)] into _filename;
  return reverse(split_part(reverse(_filename), '.', 1));
end
$$;

-- The Storage operation running this transaction (e.g. 'storage.object.upload'), so a
-- policy may allow one action and not another.
create or replace function storage.operation()
returns text
language plpgsql stable
as $$
begin
  return current_setting('storage.operation', true);
end
$$;

-- Objects keep their updated_at current, as Storage's trigger does.
create or replace function storage.update_updated_at_column()
returns trigger
language plpgsql
as $$
begin
  new.updated_at = now();
  return new;
end
$$;

create or replace trigger update_objects_updated_at
  before update on storage.objects
  for each row execute function storage.update_updated_at_column();

create or replace function storage.enforce_bucket_name_length()
returns trigger
language plpgsql
as $$
begin
  if length(new.name) > 100 then
    raise exception 'bucket name "%" is too long (% characters). Max is 100.',
      new.name, length(new.name);
  end if;
  return new;
end
$$;

create or replace trigger enforce_bucket_name_length_trigger
  before insert or update of name on storage.buckets
  for each row execute function storage.enforce_bucket_name_length();

-- As on Supabase, rows leave storage only through the Storage API (which sets
-- storage.allow_delete_query), so no object loses its bytes' record by accident.
create or replace function storage.protect_delete()
returns trigger
language plpgsql
as $$
begin
  if coalesce(current_setting('storage.allow_delete_query', true), 'false') != 'true' then
    raise exception 'Direct deletion from storage tables is not allowed. Use the Storage API instead.'
      using hint = 'This prevents accidental data loss from orphaned objects.',
            errcode = '42501';
  end if;
  return null;
end
$$;

create or replace trigger protect_buckets_delete
  before delete on storage.buckets
  for each statement execute function storage.protect_delete();

create or replace trigger protect_objects_delete
  before delete on storage.objects
  for each statement execute function storage.protect_delete();

-- One level of a bucket's tree, as Storage's list endpoint returns it: the folders and
-- files directly under `prefix` whose names start with `search` (case-insensitive), with
-- names relative to the prefix and folders as rows without an id. Security invoker, so
-- the caller's RLS policies on storage.objects decide what is listed. `levels` is kept
-- for the signature Storage calls; the depth follows from the prefix.
create or replace function storage.search(
  prefix text,
  bucketname text,
  limits int default 100,
  levels int default 1,
  offsets int default 0,
  search text default '',
  sortcolumn text default 'name',
  sortorder text default 'asc'
)
returns table (
  name text,
  id uuid,
  updated_at timestamptz,
  created_at timestamptz,
  last_accessed_at timestamptz,
  metadata jsonb
)
language plpgsql stable security invoker
as $$
declare
  v_prefix text := coalesce(prefix, '');
  v_match text := lower(coalesce(prefix, '') || coalesce(search, ''));
  v_dir text := case when lower(coalesce(sortorder, 'asc')) = 'desc' then 'desc' else 'asc' end;
  v_column text := case lower(coalesce(sortcolumn, 'name'))
    when 'updated_at' then 'updated_at'
    when 'created_at' then 'created_at'
    when 'last_accessed_at' then 'last_accessed_at'
    else 'name'
  end;
  v_order text;
begin
  -- By name, folders and files interleave; by a date, folders come first (they have none).
  if v_column = 'name' then
    v_order := format('lower(e.name) collate "C" %s, e.name collate "C" %s', v_dir, v_dir);
  else
    v_order := format(
      'e.folder desc, (case when e.folder then e.name end) collate "C" %s, e.%I %s, e.name collate "C" %s',
      v_dir, v_column, v_dir, v_dir);
  end if;
  return query execute format($q$
    with under as (
      select substr(o.name, length($1) + 1) as rest, o.id, o.updated_at, o.created_at,
             o.last_accessed_at, o.metadata
        from storage.objects o
       where o.bucket_id = $2
         and left(lower(o.name), length($3)) = $3
    ), entries as (
      select split_part(u.rest, '/', 1) as name, null::uuid as id,
             null::timestamptz as updated_at, null::timestamptz as created_at,
             null::timestamptz as last_accessed_at, null::jsonb as metadata, true as folder
        from under u
       where strpos(u.rest, '/') > 0
       group by split_part(u.rest, '/', 1)
      union all
      select u.rest, u.id, u.updated_at, u.created_at, u.last_accessed_at, u.metadata, false
        from under u
       where strpos(u.rest, '/') = 0
    )
    select e.name, e.id, e.updated_at, e.created_at, e.last_accessed_at, e.metadata
      from entries e
     order by %s
     limit $4 offset $5
  $q$, v_order)
  using v_prefix, bucketname, v_match, least(coalesce(limits, 100), 1500),
        greatest(coalesce(offsets, 0), 0);
end
$$;

-- ---------------------------------------------------------------------------
-- realtime: Broadcast / Presence authorization runs RLS policies on
-- realtime.messages, with the channel name available as realtime.topic().
-- ---------------------------------------------------------------------------
create schema if not exists realtime;

create table if not exists realtime.messages (
  topic       text not null,
  extension   text not null,
  payload     jsonb,
  event       text,
  private     boolean default false,
  updated_at  timestamp not null default now(),
  inserted_at timestamp not null default now(),
  id          uuid not null default gen_random_uuid(),
  constraint messages_pkey primary key (id, inserted_at)
);

create index if not exists messages_inserted_at_topic_index
  on realtime.messages (inserted_at desc, topic)
  where (extension = 'broadcast' and private is true);

alter table realtime.messages enable row level security;

create or replace function realtime.topic()
returns text
language sql stable
as $$
  select nullif(current_setting('realtime.topic', true), '')::text;
$$;

-- Broadcast from the database: a row in realtime.messages is delivered to the
-- topic's subscribers once its transaction commits (Realtime reads the table by
-- logical replication), so a rolled-back transaction broadcasts nothing.
alter table realtime.messages add column if not exists binary_payload bytea;

do $$ begin
  alter table realtime.messages
    add constraint messages_payload_exclusive
    check (payload is null or binary_payload is null) not valid;
exception when duplicate_object then null;
end $$;

create or replace function realtime.send(
  payload jsonb,
  event   text,
  topic   text,
  private boolean default true
)
returns void
language plpgsql
as $$
declare
  generated_id uuid;
  final_payload jsonb;
begin
  begin
    generated_id := gen_random_uuid();
    -- The message id travels in the payload too, as Supabase's send does.
    if payload ? 'id' then
      final_payload := payload;
    else
      final_payload := jsonb_set(payload, '{id}', to_jsonb(generated_id));
    end if;
    -- Insert policies see the channel through realtime.topic().
    execute format('set local realtime.topic to %L', topic);
    insert into realtime.messages (id, payload, event, topic, private, extension)
    values (generated_id, final_payload, event, topic, private, 'broadcast');
  exception
    when others then
      raise warning 'WarnSendingBroadcastMessage: %', sqlerrm;
  end;
end;
$$;

create or replace function realtime.send_binary(
  payload bytea,
  event   text,
  topic   text,
  private boolean default true
)
returns void
language plpgsql
as $$
declare
  generated_id uuid;
begin
  begin
    generated_id := gen_random_uuid();
    execute format('set local realtime.topic to %L', topic);
    insert into realtime.messages (id, binary_payload, event, topic, private, extension)
    values (generated_id, payload, event, topic, private, 'broadcast');
  exception
    when others then
      raise warning 'WarnSendingBroadcastMessage: %', sqlerrm;
  end;
end;
$$;

-- For row triggers: sends {operation, table, schema, record, old_record} to a topic.
create or replace function realtime.broadcast_changes(
  topic_name   text,
  event_name   text,
  operation    text,
  table_name   text,
  table_schema text,
  new          record,
  old          record,
  level        text default 'ROW'
)
returns void
language plpgsql
as $$
declare
  row_data jsonb := '{}'::jsonb;
begin
  if level = 'STATEMENT' then
    raise exception 'function can only be triggered for each row, not for each statement';
  end if;
  if operation = 'INSERT' or operation = 'UPDATE' or operation = 'DELETE' then
    row_data := jsonb_build_object(
      'old_record', old, 'record', new, 'operation', operation,
      'table', table_name, 'schema', table_schema
    );
    perform realtime.send(row_data, event_name, topic_name);
  else
    raise exception 'Unexpected operation type: %', operation;
  end if;
exception
  when others then
    raise exception 'Failed to process the row: %', sqlerrm;
end;
$$;

-- Postgres Changes streams the tables that migrations add to `supabase_realtime`
-- (empty, as on a new Supabase project); broadcast from the database streams
-- realtime.messages through its own publication, as Realtime creates it.
do $$ begin
  if not exists (select 1 from pg_publication where pubname = 'supabase_realtime') then
    create publication supabase_realtime;
  end if;
  if not exists (
    select 1 from pg_publication where pubname = 'supabase_realtime_messages_publication'
  ) then
    create publication supabase_realtime_messages_publication for table realtime.messages;
  end if;
end $$;

-- ---------------------------------------------------------------------------
-- supabase_migrations: where the Supabase CLI records applied migrations.
-- ---------------------------------------------------------------------------
create schema if not exists supabase_migrations;

create table if not exists supabase_migrations.schema_migrations (
  version    text not null primary key,
  statements text[],
  name       text
);

-- ---------------------------------------------------------------------------
-- Grants as Supabase sets them: table privileges on public are wide and RLS
-- does the restricting; auth tables are not granted to the API roles at all.
-- ---------------------------------------------------------------------------
grant usage on schema public to anon, authenticated, service_role;
alter default privileges in schema public grant all on tables    to anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to anon, authenticated, service_role;

-- Policies call auth.uid() / auth.jwt(), so the API roles need the schema and the helpers.
grant usage on schema auth to anon, authenticated, service_role;
grant execute on function auth.uid(), auth.role(), auth.email(), auth.jwt()
  to anon, authenticated, service_role;

grant usage on schema storage to anon, authenticated, service_role;
grant all on table storage.buckets, storage.objects to anon, authenticated, service_role;
alter default privileges in schema storage grant all on tables    to anon, authenticated, service_role;
alter default privileges in schema storage grant all on functions to anon, authenticated, service_role;
alter default privileges in schema storage grant all on sequences to anon, authenticated, service_role;
grant execute on all functions in schema storage to anon, authenticated, service_role;

grant usage on schema realtime to anon, authenticated, service_role;
grant select, insert, update on table realtime.messages to anon, authenticated, service_role;

commit;
