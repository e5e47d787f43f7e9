-- Documents of a client: files kept in the private Storage bucket `documents` under
-- `<project>/clients/<client>/…` (20261129003040_documents_bucket.sql), one row each here with
-- what a person sees (name, type, size) and a review status with who set it. Uploads through
-- the API and WhatsApp media stored by the worker both land here.

create table public.crm_documents (
  id                uuid primary key default gen_random_uuid(),
  project_id        uuid not null references public.projects (id) on delete cascade,
  client_id         uuid not null references public.crm_clients (id) on delete cascade,
  -- The object's name in the bucket, chosen by the server, never by the uploader: always
  -- under the client's own folder, so the bucket's policies and this row agree on the project.
  object_path       text not null
                      constraint crm_documents_object_path_key unique
                      constraint crm_documents_object_path_length
                      check (char_length(object_path) <= 512),
  -- The name the uploader gave, cleaned; shown to people, never used as a path.
  file_name         text not null
                      constraint crm_documents_file_name_length
                      check (char_length(file_name) between 1 and 255),
  content_type      text not null
                      constraint crm_documents_content_type_format
                      check (content_type ~ '^[a-z0-9.+-]+/[a-z0-9.+-]+$' and char_length(content_type) <= 127),
  size_bytes        bigint not null constraint crm_documents_size_positive check (size_bytes >= 0),
  source            text not null default 'upload'
                      constraint crm_documents_source_check check (source in ('upload', 'whatsapp')),
  -- The WhatsApp message the file came with.
  message_id        uuid references public.crm_messages (id) on delete set null,
  status            text not null default 'pending'
                      constraint crm_documents_status_check
                      check (status in ('pending', 'verified', 'rejected')),
  -- Who set the status last, and when (a trigger fills both from the caller).
  status_changed_by uuid,
  status_changed_at timestamptz,
  -- Who uploaded it; null for WhatsApp media.
  uploaded_by       uuid,
  created_at        timestamptz not null default now(),
  updated_at        timestamptz not null default now(),
  constraint crm_documents_path_in_client_folder check (
    starts_with(object_path, project_id::text || '/clients/' || client_id::text || '/'))
);

comment on table public.crm_documents is
  'Files of a client (bytes in the documents bucket), with a review status and who set it.';

create index crm_documents_client_created_idx on public.crm_documents (client_id, created_at, id);
-- Analytics: documents by status over a date range, read from the index alone.
create index crm_documents_project_created_idx
  on public.crm_documents (project_id, created_at) include (status);
-- One document per WhatsApp message (nulls are distinct: uploads have none).
create unique index crm_documents_message_id_key on public.crm_documents (message_id);

create trigger crm_documents_set_updated_at
  before update on public.crm_documents
  for each row execute function public.set_updated_at();

-- Who changed the status, taken from the caller's JWT, never from the request.
create or replace function private.crm_documents_status_changed()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' or new.status is distinct from old.status then
    new.status_changed_by := case when tg_op = 'INSERT' then null else (select auth.uid()) end;
    new.status_changed_at := case when tg_op = 'INSERT' then null else now() end;
  end if;
  return new;
end;
$$;

revoke execute on function private.crm_documents_status_changed() from public, anon, authenticated;

create trigger crm_documents_status_changed
  before insert or update of status on public.crm_documents
  for each row execute function private.crm_documents_status_changed();

-- ---------------------------------------------------------------------------
-- Privileges and policies: members read; owners and editors upload (in their own name, for
-- a client of the same project), review and remove. WhatsApp media rows are the worker's.
-- ---------------------------------------------------------------------------
revoke all on table public.crm_documents from public, anon, authenticated;
grant select, delete on table public.crm_documents to authenticated;
grant insert (id, project_id, client_id, object_path, file_name, content_type, size_bytes,
              uploaded_by)
  on table public.crm_documents to authenticated;
grant update (status) on table public.crm_documents to authenticated;
grant select, insert, update, delete on table public.crm_documents to service_role;

alter table public.crm_documents enable row level security;

-- Members see their projects' documents.
create policy crm_documents_select on public.crm_documents
  for select to authenticated using (private.is_project_member(project_id));

-- Owners and editors upload, as themselves, to a client of the same project.
create policy crm_documents_insert on public.crm_documents
  for insert to authenticated
  with check (
    uploaded_by = (select auth.uid()) and source = 'upload' and message_id is null
    and private.has_project_role(project_id, array['owner', 'editor']::public.project_role[])
    and private.crm_client_in_project(client_id, project_id));

-- Owners and editors review (the grant allows only `status`).
create policy crm_documents_update on public.crm_documents
  for update to authenticated
  using (private.has_project_role(project_id, array['owner', 'editor']::public.project_role[]))
  with check (private.has_project_role(project_id, array['owner', 'editor']::public.project_role[]));

-- Owners and editors remove.
create policy crm_documents_delete on public.crm_documents
  for delete to authenticated
  using (private.has_project_role(project_id, array['owner', 'editor']::public.project_role[]));

-- As on every user-reachable table: aal1 sessions of users with a verified factor get nothing.
create policy crm_documents_mfa on public.crm_documents as restrictive for all to authenticated
  using ((select private.mfa_satisfied())) with check ((select private.mfa_satisfied()));
