import { type Db, PgBoss } from 'pg-boss';
import type { Tx } from '../db/client.ts';
import { JOBS, JOBS_SCHEMA, type JobName, type JobPayload } from './queues.ts';

/**
 * pg-boss's database seam (`executeSql`) over a transaction that is already open, so a job is
 * written, or cancelled, in the same transaction as the rows it belongs to: both commit or
 * neither does.
 *
 * The pgboss schema is granted to `service_role` only. API roles (`anon`, `authenticated`)
 * must not reach it: a job row carries other users' payloads, and a user who could write
 * there could run or cancel anyone's work. So each pg-boss statement runs as `service_role`
 * (`set local role`, which the connection's login may switch to, as PostgREST does), and the
 * caller's own role is put back right after it, before any statement of theirs runs again.
 * The four statements leave in one write; `set local` keeps all of it to this transaction.
 */
export function serviceRoleDb(tx: Tx): Db {
  return {
    async executeSql(text: string, values: unknown[] = []) {
      const steps = [
        tx`select set_config('jobs.caller_role', current_setting('role'), true)`.execute(),
        tx`select set_config('role', 'service_role', true)`.execute(),
        // pg-boss's statements are a fixed set per queue, so they are prepared like ours (where
        // the pool prepares at all): described once per connection, not before every send.
        tx.unsafe(text, values as never[], { prepare: true }).execute(),
        tx`select set_config('role', current_setting('jobs.caller_role'), true)`.execute(),
      ];
      const settled = await Promise.allSettled(steps);
      // The first failure is the cause; statements after it only report the aborted transaction.
      const failed = settled.find((s) => s.status === 'rejected');
      if (failed) throw failed.reason;
      const rows = (settled[2] as PromiseFulfilledResult<unknown[]>).value;
      return { rows: [...rows] };
    },
  };
}

/**
 * A pg-boss client over one transaction, never started: it runs no maintenance, holds no
 * connection of its own and registers nothing, which is what a function may do. Made per call
 * (about 50 µs) so the queue lookup it makes before a send runs in the same transaction.
 */
function bossOver(db: Db): PgBoss {
  return new PgBoss({
    db,
    schema: JOBS_SCHEMA,
    supervise: false,
    schedule: false,
    migrate: false,
    createSchema: false,
    registerInstance: false,
    openTelemetry: { enabled: false },
  });
}

/**
 * Sends a job of `name` within the caller's transaction, with pg-boss's own `send`. The
 * payload is checked against the queue's schema first (a bad payload is a programming error,
 * and throws). Returns the job id.
 *
 * @example
 * await withCaller(c, async (tx) => {
 *   const generation = await createGeneration(tx, …);
 *   await enqueue(tx, 'generation', { generation_id: generation.id, project_id });
 * });
 */
export function enqueue<N extends JobName>(
  tx: Tx,
  name: N,
  payload: JobPayload<N>,
): Promise<string> {
  return sendJob(serviceRoleDb(tx), name, payload);
}

/** `enqueue` over any pg-boss database seam (what `enqueue` passes is the transaction's). */
export async function sendJob<N extends JobName>(
  db: Db,
  name: N,
  payload: JobPayload<N>,
): Promise<string> {
  const id = await sendUnlessPresent(db, name, payload);
  // null means a singleton or throttle rule skipped the job; no queue here is set up to.
  if (!id) throw new Error(`pg-boss did not create the ${name} job`);
  return id;
}

/**
 * Sends a job whose id its queue derives from the payload (`sendOptions.id`), within the
 * caller's transaction, unless a job with that id is already in the queue (in any state
 * pg-boss still keeps). Returns whether this call created it. For work found by a sweep that
 * every worker runs: the first to send it wins, the others change nothing.
 */
export async function enqueueUnlessPresent<N extends JobName>(
  tx: Tx,
  name: N,
  payload: JobPayload<N>,
): Promise<boolean> {
  return (await sendUnlessPresent(serviceRoleDb(tx), name, payload)) !== null;
}

async function sendUnlessPresent<N extends JobName>(
  db: Db,
  name: N,
  payload: JobPayload<N>,
): Promise<string | null> {
  const def = JOBS[name];
  const data = def.payload.parse(payload) as JobPayload<N>;
  const options = def.sendOptions ? def.sendOptions(data as never) : {};
  return bossOver(db).send(name, data, { ...options, db });
}

/**
 * Cancels a job within the caller's transaction. pg-boss cancels a job in any state before
 * completion, a running one included (its worker learns of it at its next heartbeat), so the
 * caller decides when: the generation cancel route does it only for a generation still queued.
 */
export async function cancelJob(tx: Tx, name: JobName, id: string): Promise<void> {
  const db = serviceRoleDb(tx);
  await bossOver(db).cancel(name, id, { db });
}
