import type { Tx } from '../db/client.ts';

type Json = Record<string, unknown>;

/** Everything the database holds about one client, as stored (for an export). */
export interface ClientRecords {
  client: Json;
  messages: Json[];
  attempts: Json[];
  events: Json[];
  documents: Json[];
  accessLog: Json[];
}

/**
 * Reads every record of a client as the caller (RLS applies): the profile, every message in
 * and out, every send attempt, every timeline event, every document row and the access log.
 * Undefined when there is no such client the caller may see. Columns are read whole
 * (`to_jsonb`), so a column added later is exported without a change here.
 */
export async function clientRecords(
  tx: Tx,
  projectId: string,
  clientId: string,
): Promise<ClientRecords | undefined> {
  const [client] = await tx<{ row: Json }[]>`
    select to_jsonb(c) - 'search_text' as row from public.crm_clients c
     where c.id = ${clientId}::uuid and c.project_id = ${projectId}::uuid`;
  if (!client) return undefined;
  const rows = async (q: Promise<{ row: Json }[]>) => (await q).map((r) => r.row);
  return {
    client: client.row,
    messages: await rows(tx`
      select to_jsonb(m) as row from public.crm_messages m
       where m.client_id = ${clientId}::uuid order by m.occurred_at, m.id`),
    attempts: await rows(tx`
      select to_jsonb(a) as row from public.crm_message_attempts a
        join public.crm_messages m on m.id = a.message_id
       where m.client_id = ${clientId}::uuid order by a.id`),
    events: await rows(tx`
      select to_jsonb(e) as row from public.crm_client_events e
       where e.client_id = ${clientId}::uuid order by e.occurred_at, e.id`),
    documents: await rows(tx`
      select to_jsonb(d) as row from public.crm_documents d
       where d.client_id = ${clientId}::uuid order by d.created_at, d.id`),
    accessLog: await rows(tx`
      select to_jsonb(e) || jsonb_build_object('id', e.id::text) as row
        from public.crm_access_events e
       where e.client_id = ${clientId}::uuid and e.project_id = ${projectId}::uuid
       order by e.id`),
  };
}

/** What an erase removed from the database (counts), or undefined when there was no client. */
export type EraseCounts = Record<string, number>;

/**
 * Erases the client's personal data from the database as the caller (only a project owner
 * may; 42501 otherwise) and records the tombstone, counting the `objects` removed from Storage. Storage objects are the caller's to remove
 * before this transaction commits.
 */
export async function eraseClientRows(
  tx: Tx,
  projectId: string,
  clientId: string,
  objects: number,
): Promise<EraseCounts | undefined> {
  const [row] = await tx<{ counts: EraseCounts | null }[]>`
    select private.crm_erase_client(${projectId}::uuid, ${clientId}::uuid, ${objects}) as counts`;
  return row?.counts ?? undefined;
}
