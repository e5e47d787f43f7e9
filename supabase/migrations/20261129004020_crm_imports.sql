-- CSV imports of clients. The file arrives in chunks (so neither the API nor the worker ever
-- holds it whole), every row is validated before anything is written, and the rows are then
-- written as the person who started the import, under their RLS. Progress and the outcome
-- are on the import's row and broadcast on the project's channel `crm:<project>`. The file
-- itself (personal data) is deleted as soon as the import ends.

create table public.crm_imports (
  id             uuid primary key default gen_random_uuid(),
  project_id     uuid not null references public.projects (id) on delete cascade,
  created_by     uuid not null,
  -- The assurance level of the session that started it: the job writes with the same.
  aal            text not null default 'aal1' constraint crm_imports_aal_check
                   check (aal in ('aal1', 'aal2')),
  -- all: nothing is written unless every row is valid; partial: the valid rows are written.
  mode           text not null constraint crm_imports_mode_check check (mode in ('all', 'partial')),
  status         text not null default 'receiving'
                   constraint crm_imports_status_check check (status in (
                     'receiving', 'queued', 'validating', 'importing', 'succeeded', 'rejected',
                     'failed')),
  bytes          bigint not null default 0,
  total_rows     int,
  processed_rows int not null default 0,
  imported       int not null default 0,
  duplicates     int not null default 0,
  invalid        int not null default 0,
  -- [{row, field, problem}] for invalid rows and [{row, field, client_id}] for duplicates,
  -- the first 1,000 of each (counts above are complete).
  problems       jsonb not null default '[]'
                   constraint crm_imports_problems_array check (jsonb_typeof(problems) = 'array'),
  duplicate_rows jsonb not null default '[]'
                   constraint crm_imports_duplicates_array check (jsonb_typeof(duplicate_rows) = 'array'),
  -- Why a failed import failed (never a database message).
  error          text constraint crm_imports_error_length check (char_length(error) <= 500),
  created_at     timestamptz not null default now(),
  started_at     timestamptz,
  finished_at    timestamptz,
  updated_at     timestamptz not null default now()
);

comment on table public.crm_imports is
  'CSV imports of clients: mode, progress and the per-row report.';

create index crm_imports_project_created_idx on public.crm_imports (project_id, created_at, id);

create trigger crm_imports_set_updated_at
  before update on public.crm_imports
  for each row execute function public.set_updated_at();

-- The file, in order, while the import needs it.
create table public.crm_import_chunks (
  import_id uuid not null references public.crm_imports (id) on delete cascade,
  seq       int not null constraint crm_import_chunks_seq_positive check (seq >= 0),
  data      bytea not null
              constraint crm_import_chunks_data_size check (octet_length(data) <= 1048576),
  primary key (import_id, seq)
);

-- Whether the caller started this import (security definer: looked up past RLS by key).
create or replace function private.crm_import_is_mine(p_import uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from public.crm_imports i
     where i.id = p_import and i.created_by = (select auth.uid()))
$$;

revoke execute on function private.crm_import_is_mine(uuid) from public, anon;
grant execute on function private.crm_import_is_mine(uuid) to authenticated, service_role;

revoke all on table public.crm_imports, public.crm_import_chunks from public, anon, authenticated;
grant select on table public.crm_imports to authenticated;
grant insert (id, project_id, created_by, aal, mode) on table public.crm_imports to authenticated;
grant select, insert on table public.crm_import_chunks to authenticated;
grant select, insert, update, delete on table public.crm_imports, public.crm_import_chunks
  to service_role;

alter table public.crm_imports enable row level security;
alter table public.crm_import_chunks enable row level security;

-- Owners and editors import, and see their projects' imports (a report names rows of
-- personal data, as the clients list does). Progress and outcome are written by the runner
-- as service_role.
create policy crm_imports_select on public.crm_imports
  for select to authenticated
  using (private.has_project_role(project_id, array['owner', 'editor']::public.project_role[]));
create policy crm_imports_insert on public.crm_imports
  for insert to authenticated
  with check (
    created_by = (select auth.uid())
    and private.has_project_role(project_id, array['owner', 'editor']::public.project_role[]));

-- Only who started an import sends and reads its file.
create policy crm_import_chunks_select on public.crm_import_chunks
  for select to authenticated using (private.crm_import_is_mine(import_id));
create policy crm_import_chunks_insert on public.crm_import_chunks
  for insert to authenticated with check (private.crm_import_is_mine(import_id));

create policy crm_imports_mfa on public.crm_imports as restrictive for all to authenticated
  using ((select private.mfa_satisfied())) with check ((select private.mfa_satisfied()));
create policy crm_import_chunks_mfa on public.crm_import_chunks as restrictive for all
  to authenticated
  using ((select private.mfa_satisfied())) with check ((select private.mfa_satisfied()));

-- Progress events: every change of an import's status or progress reaches the project's
-- open inboxes on `crm:<project>` once committed. Counts only, never a row's content.
create or replace function private.crm_imports_broadcast()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform realtime.send(
    jsonb_build_object(
      'id', new.id, 'status', new.status, 'total_rows', new.total_rows,
      'processed_rows', new.processed_rows, 'imported', new.imported,
      'duplicates', new.duplicates, 'invalid', new.invalid),
    'import_progress', 'crm:' || new.project_id::text, true);
  return null;
end;
$$;

revoke execute on function private.crm_imports_broadcast() from public, anon, authenticated;

create trigger crm_imports_broadcast
  after update of status, processed_rows on public.crm_imports
  for each row execute function private.crm_imports_broadcast();

-- Runs an import (the worker's `crm.import` queue; a small file runs in the request instead).
select pgboss.create_queue('crm.import',
  '{"policy": "standard", "retryLimit": 2, "retryDelay": 30, "retryBackoff": true,
    "retryDelayMax": 600, "expireInSeconds": 1800, "notify": true,
    "deadLetter": "whatsapp.dead", "deleteAfterSeconds": 604800}'::jsonb);
