-- App clients: services that call the API as themselves, with their own roles, through
-- client-credentials tokens the `auth` function signs. Their public face (name, limits,
-- roles) lives in `public` under RLS; secrets, signing keys, revocations and quotas live in
-- `private`, which no API role reads. The policies come with 20261129001200_rbac_manage.sql,
-- once `private.authorize()` exists; until then every API privilege is revoked, so the tables
-- are closed, not open.

-- True when every element is a permission name (`resource:action`), at most 100 of them.
-- Invoker rights and no table access: CHECK constraints call it for whoever writes.
create or replace function private.permission_names_valid(names text[])
returns boolean
language sql
immutable
set search_path = ''
as $$
  select cardinality(names) <= 100
     and coalesce(bool_and(n is not null and n ~ '^[a-z_]+:[a-z_*]+$'), true)
    from unnest(names) as n
$$;

-- Whoever writes a client runs the check; nobody else needs the function.
revoke execute on function private.permission_names_valid(text[]) from public, anon;
grant execute on function private.permission_names_valid(text[]) to authenticated, service_role;

create table public.app_clients (
  -- The OAuth client_id, and the `sub` of the client's tokens.
  id                     uuid primary key default gen_random_uuid(),
  name                   text not null
                           constraint app_clients_name_key unique
                           constraint app_clients_name_format
                           check (name ~ '^[A-Za-z0-9][A-Za-z0-9 _.-]{0,99}$'),
  description            text
                           constraint app_clients_description_length
                           check (char_length(description) <= 500),
  -- The most a token may carry: permission names. Null: whatever the client's roles give.
  allowed_scopes         text[]
                           constraint app_clients_allowed_scopes_format
                           check (private.permission_names_valid(allowed_scopes)),
  token_lifetime_seconds integer not null default 3600
                           constraint app_clients_token_lifetime_range
                           check (token_lifetime_seconds between 60 and 86400),
  token_quota_per_hour   integer not null default 1000
                           constraint app_clients_token_quota_range
                           check (token_quota_per_hour between 1 and 100000),
  enabled                boolean not null default true,
  -- Who created it; no foreign key, so the record survives the creator's deletion.
  created_by             uuid default auth.uid(),
  created_at             timestamptz not null default now(),
  updated_at             timestamptz not null default now()
);

comment on table public.app_clients is
  'A machine caller. Its secrets are in private.app_client_secrets, hashed; its roles in app_client_roles.';

create index app_clients_created_at_id_idx on public.app_clients (created_at, id);

create trigger app_clients_set_updated_at
  before update on public.app_clients
  for each row execute function public.set_updated_at();

create table public.app_client_roles (
  app_client_id uuid not null references public.app_clients (id) on delete cascade,
  role_id       uuid not null references public.roles (id) on delete cascade,
  granted_by    uuid default auth.uid(),
  granted_at    timestamptz not null default now(),
  primary key (app_client_id, role_id)
);

-- app_client_id leads the primary key; role_id needs its own index.
create index app_client_roles_role_id_idx on public.app_client_roles (role_id);

alter table public.app_clients enable row level security;
alter table public.app_client_roles enable row level security;
revoke all on table public.app_clients, public.app_client_roles from anon, authenticated, service_role;

-- ---------------------------------------------------------------------------
-- Private state. Times that decide something (secret expiry, quota windows, key rotation)
-- are passed in by the caller from its clock, never read from now(), so tests move time.
-- ---------------------------------------------------------------------------

-- SHA-256 of each secret (secrets are 256 random bits, so a slow hash adds nothing). A
-- rotated-out secret keeps working until expires_at; null means until rotated.
create table private.app_client_secrets (
  id            uuid primary key default gen_random_uuid(),
  app_client_id uuid not null references public.app_clients (id) on delete cascade,
  secret_hash   bytea not null constraint app_client_secrets_hash_length check (octet_length(secret_hash) = 32),
  created_at    timestamptz not null,
  expires_at    timestamptz
);

create index app_client_secrets_app_client_id_idx on private.app_client_secrets (app_client_id);

-- Tokens revoked before their expiry (RFC 7009). A row is useless once the token expired.
create table private.app_token_revocations (
  jti           uuid primary key,
  app_client_id uuid not null references public.app_clients (id) on delete cascade,
  revoked_at    timestamptz not null,
  expires_at    timestamptz not null
);

create index app_token_revocations_app_client_id_idx on private.app_token_revocations (app_client_id);
create index app_token_revocations_expires_at_idx on private.app_token_revocations (expires_at);

-- Tokens issued per client per clock hour, for the per-client quota.
create table private.app_client_token_counts (
  app_client_id uuid not null references public.app_clients (id) on delete cascade,
  window_start  timestamptz not null,
  issued        integer not null,
  primary key (app_client_id, window_start)
);

create index app_client_token_counts_window_start_idx on private.app_client_token_counts (window_start);

-- ES256 keys that sign app-client tokens. The private half is encrypted by the functions
-- (AES-256-GCM, key derived from TOKEN_KEYS_SECRET) before it reaches the database, so a
-- dump or a backup alone cannot mint tokens. The newest key neither superseded nor retired
-- signs; every key not retired is published in the auth function's JWKS.
create table private.app_signing_keys (
  kid           text primary key constraint app_signing_keys_kid_format check (kid ~ '^[A-Za-z0-9_-]{8,64}$'),
  public_jwk    jsonb not null constraint app_signing_keys_public_jwk_object
                  check (jsonb_typeof(public_jwk) = 'object' and not public_jwk ? 'd'),
  private_key   bytea not null,
  created_at    timestamptz not null,
  superseded_at timestamptz,
  retired_at    timestamptz
);

-- At most one key signs at a time.
create unique index app_signing_keys_one_current_idx
  on private.app_signing_keys ((true)) where superseded_at is null and retired_at is null;

alter table private.app_client_secrets enable row level security;
alter table private.app_token_revocations enable row level security;
alter table private.app_client_token_counts enable row level security;
alter table private.app_signing_keys enable row level security;
revoke all on table private.app_client_secrets, private.app_token_revocations,
  private.app_client_token_counts, private.app_signing_keys
  from public, anon, authenticated, service_role;

-- ---------------------------------------------------------------------------
-- Effective roles and permissions of a client, as for users (roles inherit their parents').
-- A disabled or missing client has none: RLS and the token endpoint both read these.
-- ---------------------------------------------------------------------------
create or replace function private.app_client_roles_flat(cid uuid)
returns text[]
language sql
stable
security definer
set search_path = ''
as $$
  with recursive effective as (
    select r.id, r.name, r.parent_id
      from public.app_client_roles cr
      join public.app_clients c on c.id = cr.app_client_id and c.enabled
      join public.roles r on r.id = cr.role_id
     where cr.app_client_id = cid
    union
    select p.id, p.name, p.parent_id
      from public.roles p join effective e on p.id = e.parent_id
  )
  select coalesce(array_agg(distinct e.name order by e.name), '{}'::text[]) from effective e
$$;

create or replace function private.app_client_permissions(cid uuid)
returns text[]
language sql
stable
security definer
set search_path = ''
as $$
  with recursive effective as (
    select r.id, r.parent_id
      from public.app_client_roles cr
      join public.app_clients c on c.id = cr.app_client_id and c.enabled
      join public.roles r on r.id = cr.role_id
     where cr.app_client_id = cid
    union
    select p.id, p.parent_id
      from public.roles p join effective e on p.id = e.parent_id
  )
  select coalesce(array_agg(distinct pm.name order by pm.name), '{}'::text[])
    from effective e
    join public.role_permissions rp on rp.role_id = e.id
    join public.permissions pm on pm.id = rp.permission_id
$$;

-- RLS calls app_client_permissions through private.authorize(); nobody else asks directly.
revoke execute on function private.app_client_roles_flat(uuid), private.app_client_permissions(uuid)
  from public, anon, authenticated;
grant execute on function private.app_client_roles_flat(uuid), private.app_client_permissions(uuid)
  to service_role;
