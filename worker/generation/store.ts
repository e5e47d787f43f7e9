import type postgres from 'postgres';
import type { Clock } from '../../shared/clock.ts';
import type { Pool, Tx } from '../../shared/db/client.ts';
import { asService } from '../../shared/db/doors.ts';
import type {
  EventData,
  EventType,
  GenerationEvent,
  GenerationStatus,
} from '../../shared/generations/events.ts';
import type { GenerationKind, RequestFile } from '../../shared/generations/generations.ts';

/** A process group started for a generation, as recorded for crash recovery. */
export interface RecordedGroup {
  host: string;
  pgid: number;
  /** The leader's start time (/proc stat field 22), so a reused pid is never mistaken for it. */
  start: number | null;
  role: 'step' | 'preview';
}

/** What the worker reads of a generation it claimed. */
export interface ClaimedGeneration {
  id: string;
  projectId: string;
  kind: GenerationKind;
  prompt: string;
  files: RequestFile[] | null;
  preview: boolean;
  cancelOnDisconnect: boolean;
  cancelRequested: boolean;
  attempt: number;
}

export type Claim =
  | {
      kind: 'claimed';
      generation: ClaimedGeneration;
      /** Process groups a previous holder recorded (a worker that died before recovery ran). */
      leftover: RecordedGroup[];
    }
  | { kind: 'ended'; status: GenerationStatus }
  | { kind: 'busy'; workerId: string }
  | { kind: 'missing' };

export interface NewEvent<T extends EventType = EventType> {
  type: T;
  data: EventData[T];
}

const at = (clock: Clock, plusMs = 0) => new Date(clock.now() + plusMs);

/** Appends events in order, in `tx`; those the cap refused come back null. */
export async function appendEvents(
  tx: Tx,
  generationId: string,
  events: NewEvent[],
): Promise<Array<GenerationEvent | null>> {
  const out: Array<GenerationEvent | null> = [];
  for (const e of events) {
    const [row] = await tx<{ event: GenerationEvent | null }[]>`
      select private.append_generation_event(
        ${generationId}::uuid, ${e.type}, ${tx.json(e.data as postgres.JSONValue)}) as event`;
    out.push(row?.event ?? null);
  }
  return out;
}

/**
 * The worker's reads and writes of a generation, each its own transaction as service_role.
 * Every write that follows a claim is conditioned on this worker still holding the lease, so
 * a worker that lost its generation to recovery can no longer change it.
 */
export class GenerationStore {
  private readonly db: Pool;
  private readonly clock: Clock;

  constructor(db: Pool, clock: Clock) {
    this.db = db;
    this.clock = clock;
  }

  /**
   * Takes a generation for `workerId`: a queued one, or a running one whose lease lapsed or
   * is already this worker's. Locks the row, so it serializes with cancel: a generation
   * cancelled first is reported ended. Appends the `running` status event.
   */
  claim(id: string, workerId: string, leaseMs: number): Promise<Claim> {
    return asService(this.db, async (tx) => {
      const [row] = await tx<
        {
          status: GenerationStatus;
          workerId: string | null;
          leaseExpiresAt: Date | null;
          groups: RecordedGroup[];
        }[]
      >`select status, worker_id as "workerId", lease_expires_at as "leaseExpiresAt",
               process_groups as groups
          from public.code_generations where id = ${id}::uuid for update`;
      if (!row) return { kind: 'missing' };
      if (row.status !== 'queued' && row.status !== 'running') {
        return { kind: 'ended', status: row.status };
      }
      const lapsed = !row.leaseExpiresAt || row.leaseExpiresAt.getTime() <= this.clock.now();
      if (row.status === 'running' && row.workerId && row.workerId !== workerId && !lapsed) {
        return { kind: 'busy', workerId: row.workerId };
      }
      const [g] = await tx<ClaimedGeneration[]>`
        update public.code_generations
           set status = 'running', worker_id = ${workerId}, attempt = attempt + 1,
               process_groups = '[]'::jsonb,
               lease_expires_at = ${at(this.clock, leaseMs)},
               started_at = coalesce(started_at, greatest(${at(this.clock)}, queued_at))
         where id = ${id}::uuid
        returning id, project_id as "projectId", kind, prompt, files, preview,
                  cancel_on_disconnect as "cancelOnDisconnect",
                  cancel_requested_at is not null as "cancelRequested", attempt`;
      if (!g) return { kind: 'missing' };
      await appendEvents(tx, id, [
        { type: 'Status', data: { status: 'running', attempt: g.attempt } },
      ]);
      return { kind: 'claimed', generation: g, leftover: row.groups };
    });
  }

  /** Renews the lease; `held` false when this worker no longer holds the generation. */
  async heartbeat(
    id: string,
    workerId: string,
    leaseMs: number,
  ): Promise<{ held: boolean; cancelRequested: boolean }> {
    const [row] = await asService(
      this.db,
      (tx) => tx<{ cancelRequested: boolean }[]>`
        update public.code_generations
           set lease_expires_at = ${at(this.clock, leaseMs)}
         where id = ${id}::uuid and worker_id = ${workerId} and status = 'running'
        returning cancel_requested_at is not null as "cancelRequested"`,
    );
    return { held: Boolean(row), cancelRequested: row?.cancelRequested ?? false };
  }

  /**
   * Appends events while this worker holds the generation, in one statement (one round trip
   * and a commit); false when it no longer holds it.
   */
  async append(id: string, workerId: string, events: NewEvent[]): Promise<boolean> {
    const [row] = await asService(
      this.db,
      (tx) => tx<{ appended: number }[]>`
        select private.append_generation_events(
          ${id}::uuid, ${workerId}, ${tx.json(events as unknown as postgres.JSONValue)}) as appended`,
    );
    return (row?.appended ?? -1) >= 0;
  }

  /** Records a process group started for the generation (before it can be orphaned). */
  async recordGroup(id: string, workerId: string, group: RecordedGroup): Promise<void> {
    await asService(
      this.db,
      (tx) => tx`
        update public.code_generations
           set process_groups = process_groups || ${tx.json([group] as unknown as postgres.JSONValue)}
         where id = ${id}::uuid and worker_id = ${workerId}`,
    );
  }

  /** Forgets a process group once it has ended. */
  async forgetGroup(id: string, pgid: number): Promise<void> {
    await asService(
      this.db,
      (tx) => tx`
        update public.code_generations
           set process_groups = coalesce((
             select jsonb_agg(g) from jsonb_array_elements(process_groups) g
              where (g ->> 'pgid')::int <> ${pgid}), '[]'::jsonb)
         where id = ${id}::uuid`,
    );
  }

  /** The project's recent conversation, oldest first, for the model's context. */
  history(
    projectId: string,
    exceptGeneration: string,
    limit = 12,
  ): Promise<Array<{ role: 'user' | 'assistant'; content: string }>> {
    return asService(
      this.db,
      (tx) => tx<Array<{ role: 'user' | 'assistant'; content: string }>>`
        select role, content from (
          select case when m.author_kind = 'user' then 'user' else 'assistant' end as role,
                 left(m.content, 4000) as content, m.created_at, m.id
            from public.project_messages m
           where m.project_id = ${projectId}::uuid and m.kind = 'text'
             and m.author_kind in ('user', 'assistant')
             and m.generation_id is distinct from ${exceptGeneration}::uuid
           order by m.created_at desc, m.id desc
           limit ${limit}) recent
         order by created_at, id`,
    );
  }

  /**
   * Ends the generation: status, result and error on the row, the closing events and the
   * message for the conversation, in one transaction, only while this worker holds it.
   * `keepGroups` keeps the recorded process groups (a preview that outlives the run).
   */
  finish(
    id: string,
    workerId: string,
    end: {
      status: 'succeeded' | 'failed' | 'cancelled';
      result: EventData['Result'];
      error: string | null;
      events: NewEvent[];
      message: {
        authorKind: 'assistant' | 'system';
        kind: 'text' | 'event';
        content: string;
      } | null;
      keepGroups: boolean;
    },
  ): Promise<boolean> {
    return asService(this.db, async (tx) => {
      const [row] = await tx<{ projectId: string }[]>`
        update public.code_generations
           set status = ${end.status}, result = ${tx.json(end.result as unknown as postgres.JSONValue)},
               error = ${end.error},
               finished_at = greatest(${at(this.clock)}, coalesce(started_at, queued_at)),
               lease_expires_at = null,
               worker_id = case when ${end.keepGroups} then worker_id end,
               process_groups = case when ${end.keepGroups} then process_groups else '[]'::jsonb end
         where id = ${id}::uuid and worker_id = ${workerId} and status = 'running'
        returning project_id as "projectId"`;
      if (!row) return false;
      const events = [...end.events];
      if (end.message) {
        const [m] = await tx<{ id: string }[]>`
          insert into public.project_messages
                 (project_id, generation_id, author_id, author_kind, kind, content)
          values (${row.projectId}::uuid, ${id}::uuid, null, ${end.message.authorKind},
                  ${end.message.kind}, ${end.message.content.slice(0, 100_000)})
          returning id`;
        if (end.message.authorKind === 'assistant' && m) {
          events.push({
            type: 'Chat',
            data: { role: 'assistant', content: end.message.content, message_id: m.id },
          });
        }
      }
      await appendEvents(tx, id, [...events, { type: 'Result', data: end.result }]);
      return true;
    });
  }

  /**
   * Gives the generation back to the queue (its job will be retried): status `queued`, the
   * lease and process groups released, and why, as events.
   */
  requeue(id: string, workerId: string, events: NewEvent[]): Promise<boolean> {
    return asService(this.db, async (tx) => {
      const rows = await tx`
        update public.code_generations
           set status = 'queued', worker_id = null, lease_expires_at = null,
               process_groups = '[]'::jsonb
         where id = ${id}::uuid and worker_id = ${workerId} and status = 'running'
        returning id`;
      if (!rows.length) return false;
      await appendEvents(tx, id, events);
      return true;
    });
  }

  /** Drops a preview's process groups and worker from an ended generation. */
  async releasePreview(id: string): Promise<void> {
    await asService(
      this.db,
      (tx) => tx`
        update public.code_generations set process_groups = '[]'::jsonb, worker_id = null
         where id = ${id}::uuid and status <> 'running'`,
    );
  }
}
