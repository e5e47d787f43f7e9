-- The CRM's job queues (shared/jobs/queues.ts holds the same definitions; a test compares
-- them with what this creates).

-- Jobs that failed every attempt wait here for an operator; none consumes it.
select pgboss.create_queue('whatsapp.dead',
  '{"policy": "standard", "retryLimit": 0, "deleteAfterSeconds": 2592000}'::jsonb);

-- Applying stored webhook items (messages, statuses). Meta retries a delivery for days, but
-- once stored it is ours: retried with backoff for about half an hour.
select pgboss.create_queue('whatsapp.intake',
  '{"policy": "standard", "retryLimit": 10, "retryDelay": 2, "retryBackoff": true,
    "retryDelayMax": 300, "expireInSeconds": 300, "notify": true,
    "deadLetter": "whatsapp.dead", "deleteAfterSeconds": 604800}'::jsonb);

-- Sending an outbound message through the Graph API (which retries 429 and 5xx itself).
select pgboss.create_queue('whatsapp.send',
  '{"policy": "standard", "retryLimit": 3, "retryDelay": 10, "retryBackoff": true,
    "retryDelayMax": 300, "expireInSeconds": 900, "notify": true,
    "deadLetter": "whatsapp.dead", "deleteAfterSeconds": 604800}'::jsonb);

-- Fetching an inbound message's media from the Graph API into Storage.
select pgboss.create_queue('whatsapp.media',
  '{"policy": "standard", "retryLimit": 5, "retryDelay": 10, "retryBackoff": true,
    "retryDelayMax": 600, "expireInSeconds": 900, "notify": true,
    "deadLetter": "whatsapp.dead", "deleteAfterSeconds": 604800}'::jsonb);

-- Removing a deleted client's files from Storage (which SQL cannot delete).
select pgboss.create_queue('crm.purge',
  '{"policy": "standard", "retryLimit": 10, "retryDelay": 30, "retryBackoff": true,
    "retryDelayMax": 3600, "expireInSeconds": 900, "notify": true,
    "deadLetter": "whatsapp.dead", "deleteAfterSeconds": 604800}'::jsonb);
