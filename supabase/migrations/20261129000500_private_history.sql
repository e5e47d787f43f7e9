-- Conversations and generations belong to a project's members. Reaching another project's
-- history takes its own permission, held by no seeded role: an administrator who can see
-- every project (projects:read_all) still sees an empty history unless granted it, and the
-- API records every such read in the audit log.

insert into public.permissions (name, description) values
  ('projects:read_history', 'Read the conversation and generations of any project (audited)')
on conflict (name) do nothing;

drop policy code_generations_select on public.code_generations;
-- Members see their projects' generations; anyone else needs projects:read_history.
create policy code_generations_select on public.code_generations
  for select to authenticated
  using (private.is_project_member(project_id)
         or (select public.authorize('projects:read_history')));

drop policy project_messages_select on public.project_messages;
-- Members see their projects' conversation; anyone else needs projects:read_history.
create policy project_messages_select on public.project_messages
  for select to authenticated
  using (private.is_project_member(project_id)
         or (select public.authorize('projects:read_history')));

-- The request id a client sent, kept apart from the server's own `request_id` (which the
-- server always makes itself), and only when it matched a short safe pattern.
alter table public.audit_log
  add column client_request_id text
    constraint audit_log_client_request_id_format
    check (client_request_id ~ '^[A-Za-z0-9._:-]{1,64}$');
