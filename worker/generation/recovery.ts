import type { PgBoss } from 'pg-boss';
import type postgres from 'postgres';
import type { Clock } from '../../shared/clock.ts';
import type { Pool, Tx } from '../../shared/db/client.ts';
import { asService } from '../../shared/db/doors.ts';
import type { EventData } from '../../shared/generations/events.ts';
import type { Logger } from '../../shared/log.ts';
import type { WorkerMetrics } from '../runtime/metrics.ts';
import { killRecordedGroup } from '../toolchain/process-identity.ts';
import type { Workspaces } from '../workspace/workspaces.ts';
import { appendEvents, type NewEvent, type RecordedGroup } from './store.ts';

export interface RecoveryDeps {
  db: Pool;
  boss: PgBoss;
  clock: Clock;
  log: Logger;
  metrics: WorkerMetrics;
  workspaces: Workspaces;
  host: string;
  /** This process's worker id, never recovered from. */
  workerId: string;
  /** A queued generation whose job is gone for this long is failed. Default 60 s. */
  queuedGraceMs?: number;
}

interface Held {
  id: string;
  workerId: string | null;
  groups: RecordedGroup[];
}

const pidAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** `host:pid:uuid` → whether it names a worker of this host that is gone. */
function deadHere(workerId: string | null, host: string, self: string): boolean {
  if (!workerId || workerId === self) return false;
  const [h, pid] = workerId.split(':');
  return h === host && Number(pid) > 0 && !pidAlive(Number(pid));
}

const LOST = 'The worker running it stopped unexpectedly';

/**
 * Leaves nothing behind a worker that died: at start-up and every few seconds, generations
 * whose lease lapsed (or whose worker on this machine is gone) are taken back, their recorded
 * process groups killed, and requeued when their job has attempts left or failed otherwise;
 * previews of dead workers are stopped; queued generations whose job was lost are failed; and
 * at start-up, half-written workspace files and stale locks are removed.
 */
export class Recovery {
  private readonly deps: RecoveryDeps;

  constructor(deps: RecoveryDeps) {
    this.deps = deps;
  }

  async startup(): Promise<void> {
    const removed = await this.deps.workspaces.cleanLeftovers();
    if (removed.length) this.deps.log.info('removed workspace leftovers', { removed });
    await this.sweep();
  }

  async sweep(): Promise<{ requeued: number; failed: number }> {
    const counts = { requeued: 0, failed: 0 };
    for (const held of await this.lapsed()) {
      const outcome = await this.recoverRunning(held);
      if (outcome) counts[outcome]++;
    }
    await this.stopOrphanPreviews();
    counts.failed += await this.failLostJobs();
    return counts;
  }

  /** Running generations whose lease lapsed, or whose worker on this host is gone. */
  private async lapsed(): Promise<Held[]> {
    const { db, clock, host, workerId } = this.deps;
    const rows = await asService(
      db,
      (tx) => tx<Array<Held & { lapsed: boolean }>>`
        select id, worker_id as "workerId", process_groups as groups,
               coalesce(lease_expires_at <= ${new Date(clock.now())}, true) as lapsed
          from public.code_generations
         where status = 'running'
           and (lease_expires_at is null or lease_expires_at <= ${new Date(clock.now())}
                or worker_id like ${`${host}:%`})`,
    );
    // Never this worker's own: its runs are alive, and its heartbeat renews their leases.
    return rows.filter(
      (r) => r.workerId !== workerId && (r.lapsed || deadHere(r.workerId, host, workerId)),
    );
  }

  private async killGroups(groups: RecordedGroup[]): Promise<void> {
    for (const g of groups) {
      if (g.host !== this.deps.host) continue;
      const found = await killRecordedGroup(g);
      if (found === 'killed') this.deps.log.info('killed a lost process group', { pgid: g.pgid });
    }
  }

  private async recoverRunning(seen: Held): Promise<'requeued' | 'failed' | undefined> {
    const { db, boss, log, metrics } = this.deps;
    await this.killGroups(seen.groups);
    // pg-boss decides between another attempt and failure (then the dead-letter queue).
    const [before] = await boss.findJobs('generation', { id: seen.id });
    if (before?.state === 'active') await boss.fail('generation', seen.id, { message: LOST });
    const [job] = await boss.findJobs('generation', { id: seen.id });
    const retrying = job?.state === 'created' || job?.state === 'retry';
    const outcome = await asService(db, async (tx) => {
      // Only if nobody took it meanwhile: same worker, still running.
      const rows = await tx`
        select 1 from public.code_generations
         where id = ${seen.id}::uuid and status = 'running'
           and worker_id is not distinct from ${seen.workerId}
         for update skip locked`;
      if (!rows.length) return undefined;
      if (retrying) {
        await tx`update public.code_generations
                    set status = 'queued', worker_id = null, lease_expires_at = null,
                        process_groups = '[]'::jsonb
                  where id = ${seen.id}::uuid`;
        await appendEvents(tx, seen.id, [
          { type: 'Error', data: { kind: 'worker_lost', message: LOST, retrying: true } },
          { type: 'Status', data: { status: 'queued', message: 'It will be tried again shortly' } },
        ]);
        return 'requeued' as const;
      }
      await endFailed(tx, seen.id, LOST, 'worker_lost');
      return 'failed' as const;
    });
    if (outcome) {
      metrics.recovered.inc({ outcome });
      log.warn('recovered a generation whose worker was lost', { generation: seen.id, outcome });
    }
    return outcome;
  }

  /** Previews still recorded on ended generations by workers of this host that are gone. */
  private async stopOrphanPreviews(): Promise<void> {
    const { db, host, workerId } = this.deps;
    const rows = await asService(
      db,
      (tx) => tx<Held[]>`
        select id, worker_id as "workerId", process_groups as groups
          from public.code_generations
         where status <> 'running' and process_groups <> '[]'::jsonb
           and worker_id like ${`${host}:%`}`,
    );
    for (const row of rows.filter((r) => deadHere(r.workerId, host, workerId))) {
      await this.killGroups(row.groups);
      await asService(
        db,
        (tx) => tx`update public.code_generations
                      set process_groups = '[]'::jsonb, worker_id = null
                    where id = ${row.id}::uuid and worker_id = ${row.workerId}`,
      );
    }
  }

  /** Queued generations whose job is gone (or ended) for a while: nothing will ever run them. */
  private async failLostJobs(): Promise<number> {
    const { db, clock } = this.deps;
    const cutoff = new Date(clock.now() - (this.deps.queuedGraceMs ?? 60_000));
    return asService(db, async (tx) => {
      const rows = await tx<{ id: string }[]>`
        select g.id from public.code_generations g
          left join pgboss.job j on j.name = 'generation' and j.id = g.id
         where g.status = 'queued' and g.queued_at <= ${cutoff}
           and (j.id is null or j.state in ('completed', 'cancelled', 'failed'))
         for update of g skip locked`;
      for (const { id } of rows) await endFailed(tx, id, 'Its job was lost', 'worker_lost');
      return rows.length;
    });
  }
}

/** Ends a generation `failed` in `tx`, with its events and a note in the conversation. */
async function endFailed(tx: Tx, id: string, message: string, kind: 'worker_lost'): Promise<void> {
  const result: EventData['Result'] = {
    status: 'failed',
    summary: null,
    files: [],
    build: null,
    preview: null,
    duration_ms: 0,
    output_bytes: 0,
    error: message,
  };
  const [row] = await tx<{ projectId: string }[]>`
    update public.code_generations
       set status = 'failed', error = ${message},
           result = ${tx.json(result as unknown as postgres.JSONValue)},
           finished_at = greatest(now(), coalesce(started_at, queued_at)),
           worker_id = null, lease_expires_at = null, process_groups = '[]'::jsonb
     where id = ${id}::uuid
    returning project_id as "projectId"`;
  if (!row) return;
  await tx`insert into public.project_messages (project_id, generation_id, author_kind, kind, content)
           values (${row.projectId}::uuid, ${id}::uuid, 'system', 'event',
                   ${`Generation failed: ${message}`})`;
  const events: NewEvent[] = [
    { type: 'Error', data: { kind, message } },
    { type: 'Status', data: { status: 'failed' } },
    { type: 'Result', data: result },
  ];
  await appendEvents(tx, id, events);
}
