-- Whether a user has a verified MFA factor: the API refuses their aal1 sessions on every
-- route but the few that lead to aal2 (the database refuses them by RLS; see mfa_binding).
create or replace function private.has_verified_factor(p_user uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from auth.mfa_factors f where f.user_id = p_user and f.status = 'verified')
$$;

revoke execute on function private.has_verified_factor(uuid) from public, anon, authenticated;
grant execute on function private.has_verified_factor(uuid) to service_role;
