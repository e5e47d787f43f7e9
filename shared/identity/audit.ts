import type postgres from 'postgres';
import type { Tx } from '../db/client.ts';

/** Who acted, matching the CHECK on `audit_log.actor_type`. */
export type ActorType = 'user' | 'app_client' | 'service' | 'anonymous' | 'system';

/** One audit event. `action` is dotted lower case, e.g. `auth.login.failed`, `session.revoked`. */
export interface AuditEvent {
  action: string;
  actorType: ActorType;
  actorId?: string | null;
  targetType?: string | null;
  targetId?: string | null;
  /** Client address; stored as null when it is not a valid IP. */
  ip?: string | null;
  /** Truncated to 512 characters by the database. */
  userAgent?: string | null;
  requestId?: string | null;
  /** The client's own request id, when it passed the request-id middleware's pattern. */
  clientRequestId?: string | null;
  /** Keys naming passwords, tokens or secrets (at any depth) are refused by the database. */
  metadata?: Record<string, unknown>;
}

/**
 * Appends one event to `public.audit_log`. Only `service_role` may insert (`asService`);
 * passing the caller's transaction makes the event commit or roll back with the change it
 * describes.
 *
 * @example
 * await writeAudit(tx, { action: 'session.revoked', actorType: 'user', actorId: uid, targetType: 'session', targetId: sid });
 */
export async function writeAudit(
  tx: Tx,
  event: AuditEvent,
): Promise<{ id: string; occurredAt: Date }> {
  // A malformed client address (e.g. 'unknown') becomes null rather than losing the event.
  // The cast sits outside the CASE: inside it, the planner would fold 'unknown'::inet and fail.
  const ip = event.ip ?? null;
  // Append-only: the row can never be updated or deleted afterwards.
  const [row] = await tx<{ id: string; occurredAt: Date }[]>`
    insert into public.audit_log
      (actor_id, actor_type, action, target_type, target_id, ip, user_agent, request_id,
       client_request_id, metadata)
    values (
      ${event.actorId ?? null}::uuid, ${event.actorType}, ${event.action},
      ${event.targetType ?? null}, ${event.targetId ?? null},
      (case when pg_input_is_valid(${ip}::text, 'inet') then ${ip}::text end)::inet,
      ${event.userAgent ?? null}, ${event.requestId ?? null}, ${event.clientRequestId ?? null},
      ${tx.json((event.metadata ?? {}) as postgres.JSONValue)})
    returning id::text as id, occurred_at as "occurredAt"`;
  if (!row) throw new Error('audit_log insert returned no row');
  return row;
}
