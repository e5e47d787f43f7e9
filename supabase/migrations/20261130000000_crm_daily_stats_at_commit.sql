-- A project's daily summary is one row per day, and every message written updates it. Counted
-- when the message was inserted, the row stayed locked for the rest of the writer's
-- transaction, so every writer to one project waited for the others' work (the worker applies
-- webhook items eight at a time, each in its own transaction). Counted at commit, the row is
-- locked for the commit alone. The counts and reply times are the same: the trigger sees the
-- message as it was inserted.
drop trigger crm_messages_count on public.crm_messages;

create constraint trigger crm_messages_count
  after insert on public.crm_messages
  deferrable initially deferred
  for each row execute function private.crm_messages_count();
