-- GDPR erasure of one client: everything the database holds about them goes, in one
-- transaction, and a tombstone stays in the access log. The files in Storage are removed by
-- the API in the same request (SQL cannot delete Storage objects), before this commits.
--
-- What goes: the client's row and, through its foreign keys, their messages (with every send
-- attempt), their timeline events and their documents' rows; the webhook items and raw
-- deliveries that carried their messages or number; the Realtime broadcasts about them still
-- kept in realtime.messages. What stays: the access log (ids and readers, no personal data)
-- with the tombstone, and the daily analytics counts.

-- p_objects: how many Storage objects the API removes with it, for the tombstone.
create or replace function private.crm_erase_client(p_project uuid, p_client uuid, p_objects int)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_phone     text;
  v_digits    text;
  v_wamids    text[];
  v_channels  text[];
  v_shas      bytea[];
  v_messages  int;
  v_documents int;
  v_items     int;
  v_deliveries int;
  v_broadcasts int;
  v_counts    jsonb;
begin
  -- Only a project's owner erases, at aal2 when they enrolled a second factor.
  if not (private.has_project_role(p_project, array['owner']::public.project_role[])
          and private.mfa_satisfied()) then
    raise exception 'only the project owner erases a client' using errcode = '42501';
  end if;
  select c.phone into v_phone from public.crm_clients c
   where c.id = p_client and c.project_id = p_project
   for update;
  if not found then
    return null;
  end if;
  v_digits := regexp_replace(v_phone, '[^0-9]', '', 'g');

  select coalesce(array_agg(m.wamid) filter (where m.wamid is not null), '{}'), count(*)
    into v_wamids, v_messages
    from public.crm_messages m where m.client_id = p_client;
  select count(*) into v_documents from public.crm_documents d where d.client_id = p_client;
  select coalesce(array_agg(ch.phone_number_id), '{}') into v_channels
    from public.crm_channels ch where ch.project_id = p_project;

  -- Webhook items: the client's messages and their statuses, and anything else of the
  -- project's numbers that names the client's number.
  with gone as (
    delete from private.whatsapp_intake i
     where i.wamid = any (v_wamids)
        or (i.phone_number_id = any (v_channels) and strpos(i.item::text, v_digits) > 0)
    returning i.delivery_sha256
  )
  select coalesce(array_agg(distinct sha256), '{}'), count(*) into v_shas, v_items
    from (select delivery_sha256 as sha256 from gone) g;

  -- Raw deliveries that carried them, or that name the number anywhere.
  delete from private.whatsapp_deliveries w
   where w.sha256 = any (v_shas) or position(convert_to(v_digits, 'UTF8') in w.body) > 0;
  get diagnostics v_deliveries = row_count;

  -- Broadcasts about the client (their row, messages and events) on the project's channel.
  delete from realtime.messages r
   where r.topic = 'crm:' || p_project::text
     and (r.payload ->> 'id' = p_client::text or r.payload ->> 'client_id' = p_client::text);
  get diagnostics v_broadcasts = row_count;

  -- Messages, attempts, events and document rows follow by cascade.
  delete from public.crm_clients c where c.id = p_client;
  -- The delete's own broadcast (`client_deleted`, the id only) is the last word about them.

  v_counts := jsonb_build_object(
    'messages', v_messages, 'documents', v_documents, 'webhook_items', v_items,
    'webhook_deliveries', v_deliveries, 'broadcasts', v_broadcasts,
    'objects', greatest(coalesce(p_objects, 0), 0));
  insert into public.crm_access_events (project_id, client_id, actor_id, action, detail)
  values (p_project, p_client, (select auth.uid()), 'erase', v_counts);
  return v_counts;
end;
$$;

comment on function private.crm_erase_client(uuid, uuid, int) is
  'Erases a client''s personal data from the database and leaves a tombstone access event.';

revoke execute on function private.crm_erase_client(uuid, uuid, int) from public, anon;
grant execute on function private.crm_erase_client(uuid, uuid, int) to authenticated;
