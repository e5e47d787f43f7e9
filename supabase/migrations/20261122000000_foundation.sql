-- Building blocks that later migrations use.

-- Security-definer helpers for RLS live here: the schema is not exposed through the Data
-- API, so the helpers cannot be called over REST, only from policies.
create schema if not exists private;
revoke all on schema private from public;
grant usage on schema private to authenticated, service_role;

-- Keeps `updated_at` honest whatever the client sends. Invoker rights: it only touches NEW.
create or replace function public.set_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end;
$$;

comment on function public.set_updated_at() is
  'BEFORE UPDATE trigger: sets updated_at to now().';
