-- Email addresses for the user directory. auth.users is never granted to the API roles, so
-- the `api` function's user routes (run as `authenticated`, RLS applying) could not show or
-- search a profile's email. This view exposes id and email only, with the same visibility as
-- profiles: your own row, or every row with users:read.

-- Owner's rights (the default for views) let it read auth.users; security_barrier keeps a
-- caller's WHERE clauses from being evaluated before the visibility filter.
create or replace view private.user_emails
with (security_barrier = true)
as
select u.id, u.email::text as email
  from auth.users u
 where u.id = (select auth.uid())
    or (select public.authorize('users:read'));

comment on view private.user_emails is
  'id and email of the auth users the caller may see: their own, or all with users:read.';

revoke all on table private.user_emails from public, anon, authenticated, service_role;
grant select on table private.user_emails to authenticated, service_role;
