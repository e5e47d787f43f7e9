import type { Tx } from '../db/client.ts';
import {
  type Keyset,
  keysetAfter,
  keysetKeyText,
  keysetOrder,
  type Order,
  type Position,
} from '../db/keyset.ts';
import type { SessionInfo } from './sessions.ts';

export type SessionRow = SessionInfo & { sortKey: string };

/**
 * One page of a user's sessions, through `private.list_sessions`: the caller's own, or
 * anyone's with `sessions:read`; any other caller gets error 42501 (`isInsufficientPrivilege`).
 */
export async function listSessionPage(
  tx: Tx,
  userId: string,
  opts: { order: Order; after?: Position; limit: number },
): Promise<SessionRow[]> {
  // GoTrue always sets created_at; the epoch stands in for a missing one so the key is never null.
  const ks: Keyset = { key: tx`s.sort_at`, keyType: 'timestamptz', id: tx`s.id`, idType: 'uuid' };
  return tx<SessionRow[]>`
    select s.id, s.user_id as "userId", s.created_at as "createdAt", s.updated_at as "updatedAt",
           s.refreshed_at as "refreshedAt", s.user_agent as "userAgent", host(s.ip) as ip, s.aal,
           s.not_after as "notAfter", ${keysetKeyText(tx, ks)} as "sortKey"
      from (select l.*, coalesce(l.created_at, 'epoch'::timestamptz) as sort_at
              from private.list_sessions(${userId}::uuid) l) s
     where ${keysetAfter(tx, ks, opts.order, opts.after)}
     order by ${keysetOrder(tx, ks, opts.order)}
     limit ${opts.limit}`;
}

/** Every session id of a user (same access rule as `listSessionPage`). */
export async function sessionIdsOf(tx: Tx, userId: string): Promise<string[]> {
  // Ids only: enough to revoke them or to drop them from the session cache.
  const rows = await tx<{ id: string }[]>`select id from private.list_sessions(${userId}::uuid)`;
  return rows.map((r) => r.id);
}
