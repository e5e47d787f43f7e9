-- What the token endpoint, the API's token checks and the admin routes do with the private
-- app-client state. Every time that decides something is a parameter (`p_now`), taken from
-- the caller's clock. Functions that change state on a person's behalf check
-- `private.authorize()` themselves and run as that person (`asUser`); the rest are for the
-- service door only.

-- ---------------------------------------------------------------------------
-- Secrets.
-- ---------------------------------------------------------------------------

-- Adds a secret (its SHA-256) to a client. Secrets the client had keep working for
-- `p_overlap_seconds` more (never longer than they already would), then stop: rotation
-- with an overlap. Returns when the earlier secrets stop, or null when there were none.
-- rbac:manage (or the service role) only.
create or replace function private.add_app_client_secret(
  p_client uuid,
  p_hash bytea,
  p_now timestamptz,
  p_overlap_seconds integer
)
returns timestamptz
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_until timestamptz := p_now + make_interval(secs => greatest(p_overlap_seconds, 0));
  v_last timestamptz;
begin
  if not private.authorize('rbac:manage') then
    raise exception 'not allowed to change this client''s secrets'
      using errcode = 'insufficient_privilege';
  end if;
  -- Locks the client: two rotations at once apply one after the other. An unknown client
  -- fails the insert below on its foreign key.
  perform 1 from public.app_clients c where c.id = p_client for update;
  delete from private.app_client_secrets s
   where s.app_client_id = p_client and s.expires_at <= p_now;
  update private.app_client_secrets s
     set expires_at = least(coalesce(s.expires_at, 'infinity'::timestamptz), v_until)
   where s.app_client_id = p_client;
  select max(s.expires_at) into v_last from private.app_client_secrets s where s.app_client_id = p_client;
  insert into private.app_client_secrets (app_client_id, secret_hash, created_at)
  values (p_client, p_hash, p_now);
  return v_last;
end;
$$;

-- Everything the token endpoint needs about a client, in one call: whether it may have a
-- token, its limits, the hashes of the secrets valid at `p_now`, and its effective roles
-- and permissions. No row for an unknown client.
create or replace function private.app_client_credentials(p_client uuid, p_now timestamptz)
returns table (
  enabled boolean,
  allowed_scopes text[],
  token_lifetime_seconds integer,
  token_quota_per_hour integer,
  secret_hashes bytea[],
  roles text[],
  permissions text[]
)
language sql
stable
security definer
set search_path = ''
as $$
  select c.enabled, c.allowed_scopes, c.token_lifetime_seconds, c.token_quota_per_hour,
         coalesce((select array_agg(s.secret_hash order by s.created_at desc)
                     from private.app_client_secrets s
                    where s.app_client_id = c.id
                      and (s.expires_at is null or s.expires_at > p_now)), '{}'::bytea[]),
         private.app_client_roles_flat(c.id),
         private.app_client_permissions(c.id)
    from public.app_clients c
   where c.id = p_client
$$;

-- ---------------------------------------------------------------------------
-- Quota: tokens per client per clock hour. One upsert, so concurrent requests count exactly.
-- ---------------------------------------------------------------------------
create or replace function private.app_client_token_issued(
  p_client uuid,
  p_now timestamptz,
  p_limit integer
)
returns table (allowed boolean, remaining integer, reset_at timestamptz)
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_window timestamptz := date_trunc('hour', p_now, 'UTC');
begin
  return query
  insert into private.app_client_token_counts as t (app_client_id, window_start, issued)
  values (p_client, v_window, 1)
  on conflict (app_client_id, window_start) do update set issued = t.issued + 1
  returning t.issued <= p_limit, greatest(p_limit - t.issued, 0), v_window + interval '1 hour';

  -- Earlier windows are history; about one call in a hundred clears this client's.
  if random() < 0.01 then
    delete from private.app_client_token_counts t
     where t.app_client_id = p_client and t.window_start < v_window;
  end if;
end;
$$;

-- ---------------------------------------------------------------------------
-- Tokens in use: revocation (RFC 7009) and the API's liveness check.
-- ---------------------------------------------------------------------------

-- Whether a token of this client may still be used (client exists and is enabled, token not
-- revoked), with the client's current roles and permissions. The API asks this, cached for
-- seconds, so a revoked token, a disabled client or a removed role stops working within them.
create or replace function private.app_token_state(p_client uuid, p_jti uuid)
returns table (active boolean, roles text[], permissions text[])
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce((select c.enabled from public.app_clients c where c.id = p_client), false)
         and not exists (select 1 from private.app_token_revocations r where r.jti = p_jti),
         private.app_client_roles_flat(p_client),
         private.app_client_permissions(p_client)
$$;

-- Revokes one token of a client until its expiry. True when it was not revoked before.
create or replace function private.revoke_app_token(
  p_client uuid,
  p_jti uuid,
  p_now timestamptz,
  p_expires_at timestamptz
)
returns boolean
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_new boolean;
begin
  insert into private.app_token_revocations (jti, app_client_id, revoked_at, expires_at)
  select p_jti, c.id, p_now, p_expires_at from public.app_clients c where c.id = p_client
  on conflict (jti) do nothing;
  v_new := found;
  -- A revocation outlives its token by nothing; about one call in a hundred sweeps them.
  if random() < 0.01 then
    delete from private.app_token_revocations r
     where r.jti in (select x.jti from private.app_token_revocations x
                      where x.expires_at < p_now limit 100 for update skip locked);
  end if;
  return v_new;
end;
$$;

-- ---------------------------------------------------------------------------
-- Signing keys.
-- ---------------------------------------------------------------------------

-- The key that signs now (its private half still encrypted), or no row.
create or replace function private.current_signing_key()
returns table (kid text, public_jwk jsonb, private_key bytea)
language sql
stable
security definer
set search_path = ''
as $$
  select k.kid, k.public_jwk, k.private_key from private.app_signing_keys k
   where k.superseded_at is null and k.retired_at is null
$$;

-- Every key whose tokens are still accepted: what the JWKS publishes and verifiers load.
create or replace function private.published_signing_keys()
returns table (kid text, public_jwk jsonb)
language sql
stable
security definer
set search_path = ''
as $$
  select k.kid, k.public_jwk from private.app_signing_keys k
   where k.retired_at is null
   order by k.created_at desc, k.kid
$$;

-- Makes a new key the signer; the one before keeps verifying until retired. With
-- `p_only_if_none` it does nothing when a signer exists (first use, by any instance: the
-- lock makes two cold starts agree on one key). rbac:manage or the service role.
create or replace function private.add_signing_key(
  p_kid text,
  p_public_jwk jsonb,
  p_private_key bytea,
  p_now timestamptz,
  p_only_if_none boolean
)
returns boolean
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  if not private.authorize('rbac:manage') then
    raise exception 'not allowed to rotate signing keys' using errcode = 'insufficient_privilege';
  end if;
  perform pg_catalog.pg_advisory_xact_lock(8_402_117_392);
  if p_only_if_none and exists (
    select 1 from private.app_signing_keys k where k.superseded_at is null and k.retired_at is null
  ) then
    return false;
  end if;
  update private.app_signing_keys k set superseded_at = p_now
   where k.superseded_at is null and k.retired_at is null;
  insert into private.app_signing_keys (kid, public_jwk, private_key, created_at)
  values (p_kid, p_public_jwk, p_private_key, p_now);
  return true;
end;
$$;

-- Stops publishing a key, so tokens it signed are refused. Never the signer, and never
-- before `p_grace_seconds` (the longest token lifetime) have passed since it stopped
-- signing: a token it signed could still be valid. False for a key unknown or already retired.
create or replace function private.retire_signing_key(p_kid text, p_now timestamptz, p_grace_seconds integer)
returns boolean
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  k private.app_signing_keys%rowtype;
begin
  if not private.authorize('rbac:manage') then
    raise exception 'not allowed to retire signing keys' using errcode = 'insufficient_privilege';
  end if;
  perform pg_catalog.pg_advisory_xact_lock(8_402_117_392);
  select * into k from private.app_signing_keys x where x.kid = p_kid and x.retired_at is null;
  if not found then
    return false;
  end if;
  if k.superseded_at is null then
    raise exception 'the signing key in use cannot be retired; rotate first'
      using errcode = 'check_violation', constraint = 'app_signing_keys_current';
  end if;
  if k.superseded_at + make_interval(secs => p_grace_seconds) > p_now then
    raise exception 'tokens signed with this key may still be valid'
      using errcode = 'check_violation', constraint = 'app_signing_keys_in_use';
  end if;
  update private.app_signing_keys x set retired_at = p_now where x.kid = p_kid;
  return true;
end;
$$;

-- The keys, without their private halves, for app_clients:read.
create or replace function private.list_signing_keys()
returns table (kid text, created_at timestamptz, superseded_at timestamptz, retired_at timestamptz)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if not private.authorize('app_clients:read') then
    raise exception 'not allowed to list signing keys' using errcode = 'insufficient_privilege';
  end if;
  return query
  select k.kid, k.created_at, k.superseded_at, k.retired_at
    from private.app_signing_keys k
   order by k.created_at desc, k.kid;
end;
$$;

revoke execute on function
  private.add_app_client_secret(uuid, bytea, timestamptz, integer),
  private.app_client_credentials(uuid, timestamptz),
  private.app_client_token_issued(uuid, timestamptz, integer),
  private.app_token_state(uuid, uuid),
  private.revoke_app_token(uuid, uuid, timestamptz, timestamptz),
  private.current_signing_key(),
  private.published_signing_keys(),
  private.add_signing_key(text, jsonb, bytea, timestamptz, boolean),
  private.retire_signing_key(text, timestamptz, integer),
  private.list_signing_keys()
  from public, anon, authenticated;
-- On a person's behalf, each checking private.authorize() itself.
grant execute on function
  private.add_app_client_secret(uuid, bytea, timestamptz, integer),
  private.add_signing_key(text, jsonb, bytea, timestamptz, boolean),
  private.retire_signing_key(text, timestamptz, integer),
  private.list_signing_keys()
  to authenticated, service_role;
-- The token endpoint and the API's token checks, through the service door only.
grant execute on function
  private.app_client_credentials(uuid, timestamptz),
  private.app_client_token_issued(uuid, timestamptz, integer),
  private.app_token_state(uuid, uuid),
  private.revoke_app_token(uuid, uuid, timestamptz, timestamptz),
  private.current_signing_key(),
  private.published_signing_keys()
  to service_role;
