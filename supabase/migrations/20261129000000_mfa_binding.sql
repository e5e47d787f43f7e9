-- MFA binds: a user who has enrolled a verified factor reaches no user data with a session
-- below aal2, whatever route or client they use. Supabase's recommended shape: one
-- RESTRICTIVE policy per table, which every permissive policy must then also satisfy.

-- True when the caller's session is strong enough: aal2, or no verified factor to demand it.
-- Security definer because auth.mfa_factors is Auth's own table, out of the API roles' reach.
-- Policies call it as `(select private.mfa_satisfied())`, so it runs once per statement.
create or replace function private.mfa_satisfied()
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(auth.jwt() ->> 'aal', 'aal1') = 'aal2'
      or not exists (
        select 1 from auth.mfa_factors f
         where f.user_id = auth.uid() and f.status = 'verified')
$$;

comment on function private.mfa_satisfied() is
  'True when the caller is at aal2, or has no verified MFA factor (so aal1 is all they can have).';

revoke execute on function private.mfa_satisfied() from public, anon;
grant execute on function private.mfa_satisfied() to authenticated, service_role;

-- Every user-reachable table. Profiles keep one exception: a user may read their own row at
-- aal1, which is what a client needs to show the "verify your second factor" step.
create policy profiles_mfa on public.profiles as restrictive for all to authenticated
  using (id = (select auth.uid()) or (select private.mfa_satisfied()))
  with check ((select private.mfa_satisfied()));

do $$
declare
  t text;
begin
  foreach t in array array[
    'roles', 'permissions', 'role_permissions', 'user_roles', 'audit_log',
    'projects', 'project_members', 'code_generations', 'project_messages'
  ] loop
    -- Restrictive: it never grants anything, it only takes aal1 sessions of enrolled users away.
    execute format(
      'create policy %I on public.%I as restrictive for all to authenticated
         using ((select private.mfa_satisfied())) with check ((select private.mfa_satisfied()))',
      t || '_mfa', t);
  end loop;
end;
$$;
