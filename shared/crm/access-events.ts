import type postgres from 'postgres';
import type { Tx } from '../db/client.ts';

/** What a person read of a client (crm_access_events.action). */
export type AccessAction =
  | 'list'
  | 'read'
  | 'timeline'
  | 'documents'
  | 'document'
  | 'document_link'
  | 'export'
  | 'audit_log'
  | 'erase';

/** One access event: who (actor), when, what. */
export interface AccessEventRow {
  id: string;
  clientId: string;
  actorId: string | null;
  action: AccessAction;
  detail: Record<string, unknown>;
  occurredAt: Date;
}

/**
 * Records, in the caller's transaction, that the caller read `action` of these clients. The
 * database function writes only the caller as the reader, and only for clients of a project
 * they belong to; a read that rolls back leaves no event, and an event never outlives it.
 */
export async function recordAccess(
  tx: Tx,
  projectId: string,
  clientIds: readonly string[],
  action: AccessAction,
  detail: Record<string, unknown> = {},
): Promise<void> {
  if (clientIds.length === 0) return;
  await tx`
    select private.crm_record_access(
      ${projectId}::uuid, ${clientIds as string[]}::uuid[], ${action},
      ${tx.json(detail as postgres.JSONValue)})`;
}

/** A client's access events, newest first (by id: the log only grows), before event `before`. */
export function listAccessEvents(
  tx: Tx,
  projectId: string,
  clientId: string,
  opts: { limit: number; before?: string },
): Promise<AccessEventRow[]> {
  const before = opts.before;
  return tx<AccessEventRow[]>`
    select e.id::text, e.client_id as "clientId", e.actor_id as "actorId", e.action, e.detail,
           e.occurred_at as "occurredAt"
      from public.crm_access_events e
     where e.client_id = ${clientId}::uuid and e.project_id = ${projectId}::uuid
       ${before ? tx`and e.id < ${before}::bigint` : tx``}
     order by e.id desc
     limit ${opts.limit}`;
}
