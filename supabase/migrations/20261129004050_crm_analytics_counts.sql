-- Counting a project's clients and documents for the dashboard. Through RLS, the membership
-- policy would run once per row counted; these functions check membership once (and the
-- second factor, as the policies do), then count from the covering indexes. Security definer:
-- they read past RLS, so the check above is what keeps other projects' counts private.

create or replace function private.crm_count_clients(p_project uuid, p_from date, p_to date)
returns table (profile_type text, clients int)
language sql
stable
security definer
set search_path = ''
as $$
  select c.profile_type, count(*)::int
    from public.crm_clients c
   where c.project_id = p_project
     and c.created_at >= p_from and c.created_at < p_to + 1
     and (select private.mfa_satisfied()) and (select private.is_project_member(p_project))
   group by c.profile_type
$$;

create or replace function private.crm_count_documents(p_project uuid, p_from date, p_to date)
returns table (status text, documents int)
language sql
stable
security definer
set search_path = ''
as $$
  select d.status, count(*)::int
    from public.crm_documents d
   where d.project_id = p_project
     and d.created_at >= p_from and d.created_at < p_to + 1
     and (select private.mfa_satisfied()) and (select private.is_project_member(p_project))
   group by d.status
$$;

revoke execute on function private.crm_count_clients(uuid, date, date),
  private.crm_count_documents(uuid, date, date) from public, anon;
grant execute on function private.crm_count_clients(uuid, date, date),
  private.crm_count_documents(uuid, date, date) to authenticated, service_role;
