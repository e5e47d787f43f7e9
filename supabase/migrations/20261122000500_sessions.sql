-- Session management over Supabase Auth's own tables. auth.sessions is not readable by the
-- API roles (as on Supabase), so these security-definer functions are the only way in, and
-- each checks who is asking: the owner, a holder of the right permission, or service_role.

-- True when the caller is the API's service door.
create or replace function private.is_service()
returns boolean
language sql
stable
set search_path = ''
as $$
  select coalesce(auth.role() = 'service_role', false)
$$;

revoke execute on function private.is_service() from public, anon;
grant execute on function private.is_service() to authenticated, service_role;

-- A user's sessions, newest first: their own, or anyone's with sessions:read.
create or replace function private.list_sessions(p_user_id uuid)
returns table (
  id uuid,
  user_id uuid,
  created_at timestamptz,
  updated_at timestamptz,
  refreshed_at timestamptz,
  user_agent text,
  ip inet,
  aal text,
  not_after timestamptz
)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if not (p_user_id = auth.uid()
          or private.is_service()
          or 'sessions:read' = any (private.user_permissions(auth.uid()))) then
    raise exception 'not allowed to list this user''s sessions'
      using errcode = 'insufficient_privilege';
  end if;
  return query
  select s.id, s.user_id, s.created_at, s.updated_at,
         -- GoTrue stores refreshed_at as a UTC timestamp without time zone.
         s.refreshed_at at time zone 'UTC',
         s.user_agent, s.ip, s.aal::text, s.not_after
    from auth.sessions s
   where s.user_id = p_user_id
   order by s.created_at desc nulls last, s.id;
end;
$$;

-- Ends one session (its refresh tokens and AMR claims cascade): the owner's own, or anyone's
-- with sessions:revoke. False when there is no such session.
create or replace function private.revoke_session(p_session_id uuid)
returns boolean
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_owner uuid;
begin
  select s.user_id into v_owner from auth.sessions s where s.id = p_session_id for update;
  if not found then
    return false;
  end if;
  if not (v_owner = auth.uid()
          or private.is_service()
          or 'sessions:revoke' = any (private.user_permissions(auth.uid()))) then
    raise exception 'not allowed to revoke this session'
      using errcode = 'insufficient_privilege';
  end if;
  delete from auth.sessions s where s.id = p_session_id;
  return true;
end;
$$;

-- Ends every session of the caller except `p_keep` ("sign out everywhere else"); returns
-- how many ended. With p_keep null it ends them all. A caller without a user id (the
-- service role) ends nothing.
create or replace function private.revoke_other_sessions(p_keep uuid)
returns integer
language sql
volatile
security definer
set search_path = ''
as $$
  with gone as (
    delete from auth.sessions s
     where s.user_id = auth.uid() and s.id is distinct from p_keep
    returning 1
  )
  select count(*)::integer from gone
$$;

-- Is the session still alive (not revoked, not past not_after)? The API asks this for every
-- request whose JWT names a session, so a revoked session stops working before its token
-- expires.
create or replace function private.session_active(p_session_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from auth.sessions s
     where s.id = p_session_id and (s.not_after is null or s.not_after > now())
  )
$$;

revoke execute on function
  private.list_sessions(uuid),
  private.revoke_session(uuid),
  private.revoke_other_sessions(uuid),
  private.session_active(uuid)
  from public, anon;
grant execute on function
  private.list_sessions(uuid),
  private.revoke_session(uuid),
  private.revoke_other_sessions(uuid)
  to authenticated, service_role;
-- Only the API checks liveness; a user has no reason to probe session ids.
revoke execute on function private.session_active(uuid) from authenticated;
grant execute on function private.session_active(uuid) to service_role;
