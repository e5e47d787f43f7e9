import type { Tx } from '../db/client.ts';
import {
  type Keyset,
  keysetAfter,
  keysetKeyText,
  keysetOrder,
  type Order,
  type Position,
} from '../db/keyset.ts';

export interface AuditRow {
  id: string;
  occurredAt: Date;
  actorId: string | null;
  actorType: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  metadata: Record<string, unknown>;
  sortKey: string;
}

export interface AuditFilter {
  actorId?: string;
  /** An exact action, or a prefix when it ends in `*` (`auth.login.*`). */
  action?: string;
  /** Inclusive lower bound on `occurred_at`. */
  from?: string;
  /** Exclusive upper bound on `occurred_at`. */
  to?: string;
}

/**
 * The condition for `action`: equality, or `^@` (starts with) on the prefix. Not LIKE: under
 * RLS only a leakproof operator can be an index condition, and `^@` is one while LIKE is not,
 * so `^@` reads the matching range of audit_log_action_occurred_at_id_idx.
 */
function actionMatch(tx: Tx, action: string) {
  if (!action.endsWith('*')) return tx`and a.action = ${action}`;
  return tx`and a.action ^@ ${action.slice(0, -1)}`;
}

/**
 * One page of the audit log, by `occurred_at` (the id breaks ties within a transaction).
 * Run `asUser`: RLS shows rows only to holders of `audit:read`.
 */
export async function listAuditLog(
  tx: Tx,
  filter: AuditFilter,
  opts: { order: Order; after?: Position; limit: number },
): Promise<AuditRow[]> {
  const ks: Keyset = {
    key: tx`a.occurred_at`,
    keyType: 'timestamptz',
    id: tx`a.id`,
    idType: 'bigint',
  };
  const none = tx``;
  return tx<AuditRow[]>`
    select a.id::text as id, a.occurred_at as "occurredAt", a.actor_id as "actorId",
           a.actor_type as "actorType", a.action, a.target_type as "targetType",
           a.target_id as "targetId", host(a.ip) as ip, a.user_agent as "userAgent",
           a.request_id as "requestId", a.metadata, ${keysetKeyText(tx, ks)} as "sortKey"
      from public.audit_log a
     where ${keysetAfter(tx, ks, opts.order, opts.after)}
       ${filter.actorId ? tx`and a.actor_id = ${filter.actorId}::uuid` : none}
       ${filter.action ? actionMatch(tx, filter.action) : none}
       ${filter.from ? tx`and a.occurred_at >= ${filter.from}::timestamptz` : none}
       ${filter.to ? tx`and a.occurred_at < ${filter.to}::timestamptz` : none}
     order by ${keysetOrder(tx, ks, opts.order)}
     limit ${opts.limit}`;
}
