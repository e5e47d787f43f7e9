-- The queue that delivers private.mail_outbox (shared/jobs/queues.ts holds the same
-- definition; a test compares them). The worker's sweep sends one job per unsent row, with a
-- job id derived from the row's id, so a row is never queued twice at once.
select pgboss.create_queue('mail',
  '{"policy": "standard", "retryLimit": 30, "retryDelay": 30, "retryBackoff": true,
    "retryDelayMax": 3600, "expireInSeconds": 300, "notify": true,
    "deleteAfterSeconds": 86400}'::jsonb);

-- The worker connects as the database owner and runs its queries as service_role (asService):
-- it reads unsent mail and records attempts, errors and delivery. It never inserts or deletes.
-- (select, update were granted with the table; this states why nothing more is needed.)
comment on table private.mail_outbox is
  'Mail the system sends itself, delivered by the worker''s mail queue; sent_at marks delivery.';
