import type { Tx } from '../db/client.ts';
import {
  type Keyset,
  keysetAfter,
  keysetKeyText,
  keysetOrder,
  type Order,
  type Position,
} from '../db/keyset.ts';

export type MessageKind = 'text' | 'code' | 'event';

/** One entry of a project's conversation. Run `asUser`: members see their projects' history. */
export interface MessageRow {
  id: string;
  projectId: string;
  generationId: string | null;
  authorId: string | null;
  authorKind: 'user' | 'assistant' | 'system';
  kind: MessageKind;
  content: string;
  createdAt: Date;
}

const columns = (tx: Tx) => tx`
  m.id, m.project_id as "projectId", m.generation_id as "generationId",
  m.author_id as "authorId", m.author_kind as "authorKind", m.kind, m.content,
  m.created_at as "createdAt"`;

/** One page of a project's conversation by (created_at, id), the order it is indexed in. */
export async function listMessages(
  tx: Tx,
  projectId: string,
  opts: { order: Order; after?: Position; limit: number },
): Promise<Array<MessageRow & { sortKey: string }>> {
  const ks: Keyset = {
    key: tx`m.created_at`,
    keyType: 'timestamptz',
    id: tx`m.id`,
    idType: 'uuid',
  };
  return tx<Array<MessageRow & { sortKey: string }>>`
    select ${columns(tx)}, ${keysetKeyText(tx, ks)} as "sortKey"
      from public.project_messages m
     where m.project_id = ${projectId}::uuid
       and ${keysetAfter(tx, ks, opts.order, opts.after)}
     order by ${keysetOrder(tx, ks, opts.order)}
     limit ${opts.limit}`;
}

/**
 * Posts a message as the caller. RLS admits editors and owners writing as themselves with
 * author_kind `user` (42501 otherwise); a generation of another project is a check violation.
 */
export async function createMessage(
  tx: Tx,
  projectId: string,
  message: { content: string; kind: MessageKind; generationId: string | null },
): Promise<MessageRow> {
  const [row] = await tx<MessageRow[]>`
    insert into public.project_messages as m
           (project_id, generation_id, author_id, author_kind, kind, content)
    values (${projectId}::uuid, ${message.generationId}::uuid, (select auth.uid()), 'user',
            ${message.kind}, ${message.content})
    returning ${columns(tx)}`;
  if (!row) throw new Error('insert returned no row');
  return row;
}
