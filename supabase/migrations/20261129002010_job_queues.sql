-- Who may use pg-boss's schema, and the job queues (shared/jobs/queues.ts holds the same
-- definitions; a test compares them with what this creates).

-- Jobs carry every user's payloads, so the API roles get nothing here: the API enqueues as
-- service_role inside the request's transaction (shared/jobs/enqueue.ts), and the worker
-- connects as the database owner. Queue tables pg-boss creates later inherit the grants.
revoke all on schema pgboss from public, anon, authenticated;
grant usage on schema pgboss to service_role;
grant select, insert, update, delete on all tables in schema pgboss to service_role;
grant usage, select on all sequences in schema pgboss to service_role;
grant execute on all functions in schema pgboss to service_role;
revoke execute on all functions in schema pgboss from public, anon, authenticated;
alter default privileges in schema pgboss grant select, insert, update, delete on tables to service_role;
alter default privileges in schema pgboss grant usage, select on sequences to service_role;
alter default privileges in schema pgboss revoke execute on functions from public;
alter default privileges in schema pgboss grant execute on functions to service_role;

-- The dead-letter queue first: a queue's dead_letter must name an existing queue.
-- Jobs that failed every attempt wait here for an operator (pg-boss's redrive); none consumes it.
select pgboss.create_queue('generation.dead',
  '{"policy": "standard", "retryLimit": 0, "deleteAfterSeconds": 2592000}'::jsonb);

-- Code generations: one active job per project (singleton on the project id), retried with
-- backoff, expired when held too long, lost by a worker that stops heart-beating, and workers
-- woken by NOTIFY the moment one is created.
select pgboss.create_queue('generation',
  '{"policy": "singleton", "retryLimit": 2, "retryDelay": 5, "retryBackoff": true,
    "retryDelayMax": 120, "expireInSeconds": 3600, "heartbeatSeconds": 30, "notify": true,
    "deadLetter": "generation.dead", "deleteAfterSeconds": 604800}'::jsonb);
