-- The private Storage bucket `documents`: files of a project under `<project id>/…` (a
-- client's under `<project id>/clients/<client id>/…`, WhatsApp media among them). Members
-- read; owners and editors write. Reached through Storage's API and 60-second signed URLs,
-- never publicly.

insert into storage.buckets (id, name, public)
values ('documents', 'documents', false)
on conflict (id) do nothing;

-- The project an object belongs to: its first path segment, when that is a uuid. Guarded by
-- CASE, so a malformed name is simply nobody's (null) instead of an error in every policy.
create or replace function private.storage_project(p_name text)
returns uuid
language sql
immutable
set search_path = ''
as $$
  select case
    when (storage.foldername(p_name))[1] ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
    then ((storage.foldername(p_name))[1])::uuid
  end
$$;

revoke execute on function private.storage_project(text) from public, anon;
grant execute on function private.storage_project(text) to authenticated, service_role;

-- Members of the project read its documents (aal2 when they enrolled a second factor).
create policy documents_read on storage.objects
  for select to authenticated
  using (
    bucket_id = 'documents'
    and (select private.mfa_satisfied())
    and private.is_project_member(private.storage_project(name)));

-- Owners and editors upload, replace and remove them.
create policy documents_insert on storage.objects
  for insert to authenticated
  with check (
    bucket_id = 'documents'
    and (select private.mfa_satisfied())
    and private.has_project_role(
      private.storage_project(name), array['owner', 'editor']::public.project_role[]));

create policy documents_update on storage.objects
  for update to authenticated
  using (
    bucket_id = 'documents'
    and (select private.mfa_satisfied())
    and private.has_project_role(
      private.storage_project(name), array['owner', 'editor']::public.project_role[]));

create policy documents_delete on storage.objects
  for delete to authenticated
  using (
    bucket_id = 'documents'
    and (select private.mfa_satisfied())
    and private.has_project_role(
      private.storage_project(name), array['owner', 'editor']::public.project_role[]));
