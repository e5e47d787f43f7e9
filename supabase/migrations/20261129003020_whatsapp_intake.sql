-- What the whatsapp function stores from Meta's webhook, before the worker processes it:
-- each verified delivery's raw bytes, and one row per item in it (an inbound message, a
-- status of an outbound one, an error about the number), keyed so that a retried or
-- duplicated delivery is stored once and processed once. Only service_role reaches them.

-- A signed delivery exactly as it arrived, once per distinct body. Kept whether or not this
-- code could read it (`parsed`), so nothing Meta sent is ever lost.
create table private.whatsapp_deliveries (
  sha256      bytea primary key
                constraint whatsapp_deliveries_sha256_length check (octet_length(sha256) = 32),
  body        bytea not null,
  parsed      boolean not null,
  received_at timestamptz not null
);

comment on table private.whatsapp_deliveries is
  'Raw verified webhook deliveries, one row per distinct body (SHA-256).';

-- One row per item, by its key: `message:<wamid>`, `status:<wamid>:<status>` or
-- `error:<phone_number_id>:<code>:<digest>` (shared/whatsapp/webhook.ts). The unique key is
-- what makes a retried delivery a no-op; processed_at is set in the transaction that applies
-- the item, so it is applied exactly once.
create table private.whatsapp_intake (
  id              bigint generated always as identity primary key,
  key             text not null constraint whatsapp_intake_key_key unique
                    constraint whatsapp_intake_key_length check (char_length(key) <= 512),
  kind            text not null
                    constraint whatsapp_intake_kind_check check (kind in ('message', 'status', 'error')),
  phone_number_id text not null,
  -- The message's wamid (statuses: the outbound message they are about).
  wamid           text,
  item            jsonb not null,
  delivery_sha256 bytea not null,
  received_at     timestamptz not null,
  processed_at    timestamptz,
  -- What processing did: applied, duplicate, no_channel, no_phone, unknown_message…
  outcome         text
);

comment on table private.whatsapp_intake is
  'Items of verified deliveries, once per key; the worker applies each once.';

-- A status that arrives before its message has a wamid is applied when the wamid is recorded.
create index whatsapp_intake_status_wamid_idx
  on private.whatsapp_intake (wamid) where kind = 'status';
-- Items still waiting, oldest first: what an operator (or a sweep) looks at.
create index whatsapp_intake_unprocessed_idx
  on private.whatsapp_intake (received_at) where processed_at is null;
create index whatsapp_intake_delivery_idx on private.whatsapp_intake (delivery_sha256);

alter table private.whatsapp_deliveries enable row level security;
alter table private.whatsapp_intake enable row level security;
revoke all on table private.whatsapp_deliveries, private.whatsapp_intake
  from public, anon, authenticated;
grant select, insert, update, delete on table private.whatsapp_deliveries,
  private.whatsapp_intake to service_role;
