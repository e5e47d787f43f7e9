-- People who share a project see each other's names: a members list of bare ids tells an
-- owner nothing. Profiles stay private otherwise (their RLS shows only one's own row, or every
-- row with users:read), so this is one narrow window with its own rule, not a wider policy.

-- The public face of `p_user` (username, names, avatar), when the caller is that user, shares
-- a project with them, or may read every profile; no row otherwise. Never the email.
create or replace function private.co_member_profile(p_user uuid)
returns table (username text, first_name text, last_name text, avatar_url text)
language sql
stable
security definer
set search_path = ''
as $$
  select p.username, p.first_name, p.last_name, p.avatar_url
    from public.profiles p
   where p.id = p_user
     and (p_user = (select auth.uid())
          or (select private.mfa_satisfied())
             and (exists (
                   select 1 from public.project_members mine
                     join public.project_members theirs on theirs.project_id = mine.project_id
                    where mine.user_id = (select auth.uid()) and theirs.user_id = p_user)
                  or (select public.authorize('users:read'))))
$$;

revoke execute on function private.co_member_profile(uuid) from public, anon;
grant execute on function private.co_member_profile(uuid) to authenticated, service_role;
