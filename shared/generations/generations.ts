import type postgres from 'postgres';
import type { Tx } from '../db/client.ts';
import {
  type Keyset,
  keysetAfter,
  keysetKeyText,
  keysetOrder,
  type Order,
  type Position,
} from '../db/keyset.ts';
import type { GenerationEvent, GenerationStatus } from './events.ts';

export type GenerationKind = 'generate' | 'fix' | 'build';

/** A file a request brings: a workspace-relative path and its whole content. */
export interface RequestFile {
  path: string;
  content: string;
}

/** One generation as its project's members see it. Run `asUser`: RLS decides who sees it. */
export interface GenerationRow {
  id: string;
  projectId: string;
  requestedBy: string | null;
  kind: GenerationKind;
  status: GenerationStatus;
  prompt: string;
  preview: boolean;
  cancelOnDisconnect: boolean;
  result: Record<string, unknown> | null;
  error: string | null;
  attempt: number;
  lastSeq: number;
  queuedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  cancelRequestedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const columns = (tx: Tx) => tx`
  g.id, g.project_id as "projectId", g.requested_by as "requestedBy", g.kind, g.status,
  g.prompt, g.preview, g.cancel_on_disconnect as "cancelOnDisconnect", g.result, g.error,
  g.attempt, g.event_seq as "lastSeq", g.queued_at as "queuedAt", g.started_at as "startedAt",
  g.finished_at as "finishedAt", g.cancel_requested_at as "cancelRequestedAt",
  g.created_at as "createdAt", g.updated_at as "updatedAt"`;

/**
 * Requests a generation as the caller, queued. RLS admits editors and owners writing in their
 * own name (42501 otherwise). The row's job id is its own id: the job is sent with it.
 */
export async function insertGeneration(
  tx: Tx,
  g: {
    id: string;
    projectId: string;
    prompt: string;
    kind: GenerationKind;
    files: RequestFile[] | null;
    preview: boolean;
    cancelOnDisconnect: boolean;
  },
): Promise<GenerationRow> {
  const files = g.files ? tx.json(g.files as unknown as postgres.JSONValue) : null;
  const [row] = await tx<GenerationRow[]>`
    insert into public.code_generations as g
           (id, project_id, requested_by, prompt, kind, files, preview, cancel_on_disconnect,
            job_id)
    values (${g.id}::uuid, ${g.projectId}::uuid, (select auth.uid()), ${g.prompt}, ${g.kind},
            ${files}, ${g.preview}, ${g.cancelOnDisconnect}, ${g.id}::uuid)
    returning ${columns(tx)}`;
  if (!row) throw new Error('insert returned no row');
  return row;
}

/** One generation, or undefined when there is none or the caller may not see it. */
export async function findGeneration(tx: Tx, id: string): Promise<GenerationRow | undefined> {
  const [row] = await tx<GenerationRow[]>`
    select ${columns(tx)} from public.code_generations g where g.id = ${id}::uuid`;
  return row;
}

/** One page of a project's generations by (created_at, id), optionally of one status. */
export async function listGenerations(
  tx: Tx,
  projectId: string,
  opts: { status?: GenerationStatus; order: Order; after?: Position; limit: number },
): Promise<Array<GenerationRow & { sortKey: string }>> {
  const ks: Keyset = {
    key: tx`g.created_at`,
    keyType: 'timestamptz',
    id: tx`g.id`,
    idType: 'uuid',
  };
  return tx<Array<GenerationRow & { sortKey: string }>>`
    select ${columns(tx)}, ${keysetKeyText(tx, ks)} as "sortKey"
      from public.code_generations g
     where g.project_id = ${projectId}::uuid
       ${opts.status ? tx`and g.status = ${opts.status}::public.generation_status` : tx``}
       and ${keysetAfter(tx, ks, opts.order, opts.after)}
     order by ${keysetOrder(tx, ks, opts.order)}
     limit ${opts.limit}`;
}

/**
 * Events after `after`, in seq order, exactly as they were broadcast. RLS shows them to
 * whoever may see the generation.
 */
export async function listEvents(
  tx: Tx,
  generationId: string,
  opts: { after: number; limit: number },
): Promise<GenerationEvent[]> {
  const rows = await tx<{ event: GenerationEvent }[]>`
    select e.event from public.generation_events e
     where e.generation_id = ${generationId}::uuid and e.seq > ${opts.after}
     order by e.seq
     limit ${opts.limit}`;
  return rows.map((r) => r.event);
}

export type CancelOutcome = 'cancelled' | 'requested' | 'ended' | 'missing';

/**
 * Asks for a generation to stop (see private.cancel_generation): a queued one ends at once, a
 * running one's worker is woken. Editors and owners only (42501 otherwise).
 */
export async function requestCancel(tx: Tx, id: string): Promise<CancelOutcome> {
  const [row] = await tx<{ outcome: CancelOutcome }[]>`
    select private.cancel_generation(${id}::uuid) as outcome`;
  return row?.outcome ?? 'missing';
}
