import type { Tx } from '../db/client.ts';
import {
  type Keyset,
  keysetAfter,
  keysetKeyText,
  type Order,
  type Position,
} from '../db/keyset.ts';
import { type MessageRow, messageColumns } from './messages.ts';

/** One send attempt of an outbound message, as the worker recorded it. */
export interface AttemptRow {
  attempt: number;
  operation: string;
  httpStatus: number | null;
  errorCode: number | null;
  error: string | null;
  durationMs: number;
  retryInMs: number | null;
  at: Date;
}

export type TimelineRow =
  | (MessageRow & { entry: 'message'; attempts: AttemptRow[]; sortKey: string })
  | {
      entry: 'event';
      id: string;
      clientId: string;
      kind: string;
      data: Record<string, unknown>;
      actorId: string | null;
      occurredAt: Date;
      sortKey: string;
    };

/**
 * One page of a client's timeline: its messages (with their send attempts) and events, merged
 * by (occurred_at, id). Each side reads one page of its (client_id, occurred_at, id) index and
 * PostgreSQL merges the two, so a long history costs what a page costs. RLS shows it to the
 * project's members.
 */
export async function listTimeline(
  tx: Tx,
  clientId: string,
  opts: { order: Order; after?: Position; limit: number },
): Promise<TimelineRow[]> {
  const side = (alias: 'm' | 'e'): Keyset => ({
    key: tx`${tx(alias)}.occurred_at`,
    keyType: 'timestamptz',
    id: tx`${tx(alias)}.id`,
    idType: 'uuid',
  });
  const dir = opts.order === 'asc' ? tx`asc` : tx`desc`;
  const rows = await tx<Array<Record<string, unknown>>>`
    select t.*,
           case when t.entry = 'message' then coalesce((
             select jsonb_agg(jsonb_build_object(
                      'attempt', a.attempt, 'operation', a.operation,
                      'httpStatus', a.http_status, 'errorCode', a.error_code, 'error', a.error,
                      'durationMs', a.duration_ms, 'retryInMs', a.retry_in_ms, 'at', a.at)
                    order by a.id)
               from public.crm_message_attempts a where a.message_id = t.id), '[]'::jsonb)
           end as attempts
      from (
        (select 'message' as entry, ${keysetKeyText(tx, side('m'))} as "sortKey",
                m.occurred_at as sort_at, to_jsonb(x) as detail, m.id
           from public.crm_messages m
           cross join lateral (select ${messageColumns(tx)}) x
          where m.client_id = ${clientId}::uuid
            and ${keysetAfter(tx, side('m'), opts.order, opts.after)}
          order by m.occurred_at ${dir}, m.id ${dir}
          limit ${opts.limit})
        union all
        (select 'event', ${keysetKeyText(tx, side('e'))}, e.occurred_at,
                jsonb_build_object('id', e.id, 'clientId', e.client_id, 'kind', e.kind,
                                   'data', e.data, 'actorId', e.actor_id,
                                   'occurredAt', e.occurred_at),
                e.id
           from public.crm_client_events e
          where e.client_id = ${clientId}::uuid
            and ${keysetAfter(tx, side('e'), opts.order, opts.after)}
          order by e.occurred_at ${dir}, e.id ${dir}
          limit ${opts.limit})
      ) t
     order by t.sort_at ${dir}, t.id ${dir}
     limit ${opts.limit}`;
  return rows.map(toRow);
}

function toRow(r: Record<string, unknown>): TimelineRow {
  const detail = r.detail as Record<string, unknown>;
  const occurredAt = new Date(detail.occurredAt as string);
  if (r.entry === 'event') {
    return {
      entry: 'event',
      id: detail.id as string,
      clientId: detail.clientId as string,
      kind: detail.kind as string,
      data: detail.data as Record<string, unknown>,
      actorId: (detail.actorId as string | null) ?? null,
      occurredAt,
      sortKey: r.sortKey as string,
    };
  }
  const attempts = (r.attempts as Array<Record<string, unknown>>).map((a) => ({
    ...(a as unknown as AttemptRow),
    at: new Date(a.at as string),
  }));
  return {
    ...(detail as unknown as MessageRow),
    entry: 'message',
    occurredAt,
    attempts,
    sortKey: r.sortKey as string,
  };
}
