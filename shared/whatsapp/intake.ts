import type postgres from 'postgres';
import type { Tx } from '../db/client.ts';
import { enqueue } from '../jobs/enqueue.ts';
import type { IntakeItem } from './webhook.ts';

/** What `storeDelivery` kept of one verified delivery. */
export interface StoredDelivery {
  /** Keys of items seen for the first time (the rest were already stored). */
  newKeys: string[];
  /** The processing job, when there was anything new to process. */
  jobId: string | null;
}

/**
 * Stores a verified delivery and enqueues its processing, in the caller's transaction (run it
 * `asService`): both commit or neither does. Each item is inserted once by its key; the raw
 * bytes are kept once per distinct body, and only when they bring something new (or carry no
 * item this code reads, so they are kept for an operator). A retried, duplicated or replayed
 * delivery therefore writes no row and enqueues no job.
 *
 * @example
 * const stored = await asService(db, (tx) => storeDelivery(tx, { raw, sha256, items, at }));
 */
export async function storeDelivery(
  tx: Tx,
  d: { raw: Uint8Array; sha256: Uint8Array; items: IntakeItem[] | null; at: Date },
): Promise<StoredDelivery> {
  const items = (d.items ?? []).map((item) => ({
    key: item.key,
    kind: item.kind,
    phone_number_id: item.phoneNumberId,
    wamid: item.kind === 'error' ? null : item.messageId,
    item,
  }));
  const at = d.at.toISOString();
  // One statement: the items that are new decide whether the raw body is kept.
  const rows = await tx<{ key: string }[]>`
    with new_items as (
      insert into private.whatsapp_intake
             (key, kind, phone_number_id, wamid, item, delivery_sha256, received_at)
      select x.key, x.kind, x.phone_number_id, x.wamid, x.item, ${d.sha256}, ${at}::timestamptz
        from jsonb_to_recordset(${tx.json(items as unknown as postgres.JSONValue)}::jsonb)
             as x (key text, kind text, phone_number_id text, wamid text, item jsonb)
      on conflict (key) do nothing
      returning id, key
    ), kept as (
      insert into private.whatsapp_deliveries (sha256, body, parsed, received_at)
      select ${d.sha256}, ${d.raw}, ${d.items !== null}, ${at}::timestamptz
       where exists (select 1 from new_items) or ${items.length === 0}
      on conflict (sha256) do nothing
    )
    select key from new_items order by id`;
  const newKeys = rows.map((r) => r.key);
  if (newKeys.length === 0) return { newKeys, jobId: null };
  const jobId = await enqueue(tx, 'whatsapp.intake', { keys: newKeys });
  return { newKeys, jobId };
}
