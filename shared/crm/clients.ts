import type { Tx } from '../db/client.ts';
import {
  type Keyset,
  keysetAfter,
  keysetKeyText,
  keysetOrder,
  type Order,
  type Position,
} from '../db/keyset.ts';

export const CLIENT_STATUSES = ['new', 'active', 'waiting', 'closed', 'archived'] as const;
export type ClientStatus = (typeof CLIENT_STATUSES)[number];
export type ClientSort = 'last_activity_at' | 'created_at' | 'name';

/** A client of a project's CRM. Run `asUser`: members see their projects' clients. */
export interface ClientRow {
  id: string;
  projectId: string;
  phone: string;
  name: string;
  email: string | null;
  profileType: string | null;
  profileConfidence: number | null;
  profileSource: 'manual' | 'classifier' | null;
  status: ClientStatus;
  tags: string[];
  notes: string | null;
  channelId: string | null;
  lastInboundAt: Date | null;
  lastActivityAt: Date;
  archivedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What a person may set on a client; left out means unchanged (or the default on create). */
export interface ClientFields {
  phone?: string;
  name?: string;
  email?: string | null;
  profileType?: string | null;
  status?: Exclude<ClientStatus, 'archived'>;
  tags?: string[];
  notes?: string | null;
}

const columns = (tx: Tx) => tx`
  c.id, c.project_id as "projectId", c.phone, c.name, c.email, c.profile_type as "profileType",
  c.profile_confidence as "profileConfidence", c.profile_source as "profileSource", c.status,
  c.tags, c.notes, c.channel_id as "channelId", c.last_inbound_at as "lastInboundAt",
  c.last_activity_at as "lastActivityAt", c.archived_at as "archivedAt",
  c.created_at as "createdAt", c.updated_at as "updatedAt"`;

const keysets = (tx: Tx): Record<ClientSort, Keyset> => ({
  last_activity_at: {
    key: tx`c.last_activity_at`,
    keyType: 'timestamptz',
    id: tx`c.id`,
    idType: 'uuid',
  },
  created_at: { key: tx`c.created_at`, keyType: 'timestamptz', id: tx`c.id`, idType: 'uuid' },
  name: { key: tx`c.name`, keyType: 'text', id: tx`c.id`, idType: 'uuid' },
});

/** One client of the project, or undefined when there is none or the caller may not see it. */
export async function findClient(
  tx: Tx,
  projectId: string,
  id: string,
): Promise<ClientRow | undefined> {
  const [row] = await tx<ClientRow[]>`
    select ${columns(tx)} from public.crm_clients c
     where c.id = ${id}::uuid and c.project_id = ${projectId}::uuid`;
  return row;
}

/**
 * Adds a client as the caller. RLS admits owners and editors (42501 otherwise); a phone or
 * email already in the project fails on its unique key, which the error mapper answers 409.
 */
export async function createClient(
  tx: Tx,
  projectId: string,
  fields: ClientFields & { phone: string; name: string },
): Promise<ClientRow> {
  const [row] = await tx<ClientRow[]>`
    insert into public.crm_clients as c
           (project_id, phone, name, email, profile_type, profile_source, status, tags, notes)
    values (${projectId}::uuid, ${fields.phone}, ${fields.name}, ${fields.email ?? null},
            ${fields.profileType ?? null},
            ${fields.profileType ? 'manual' : null}, ${fields.status ?? 'new'},
            ${fields.tags ?? []}::text[], ${fields.notes ?? null})
    returning ${columns(tx)}`;
  if (!row) throw new Error('insert returned no row');
  return row;
}

/**
 * Applies the fields given; undefined when RLS let no row change. A profile type set here is
 * a person's choice (`manual`): the classifier never overrides it; null hands it back.
 */
export async function updateClient(
  tx: Tx,
  projectId: string,
  id: string,
  f: ClientFields,
): Promise<ClientRow | undefined> {
  // Each column is its bound value or itself: no SQL text ever comes from input.
  const text = (value: string | null | undefined, column: string) =>
    value !== undefined ? tx`${value}` : tx`${tx(column)}`;
  const profileChanged = f.profileType !== undefined;
  const manual = f.profileType === null ? null : 'manual';
  // A status given brings an archived client back (archiving is DELETE's).
  const [row] = await tx<ClientRow[]>`
    update public.crm_clients c
       set phone = ${text(f.phone, 'phone')},
           name = ${text(f.name, 'name')},
           email = ${text(f.email, 'email')},
           profile_type = ${text(f.profileType, 'profile_type')},
           profile_source = ${profileChanged ? tx`${manual}` : tx`c.profile_source`},
           profile_confidence = ${profileChanged ? tx`null` : tx`c.profile_confidence`},
           status = ${text(f.status, 'status')},
           archived_at = ${f.status !== undefined ? tx`null` : tx`c.archived_at`},
           tags = ${f.tags !== undefined ? tx`${f.tags}::text[]` : tx`c.tags`},
           notes = ${text(f.notes, 'notes')}
     where c.id = ${id}::uuid and c.project_id = ${projectId}::uuid
    returning ${columns(tx)}`;
  return row;
}

/** Archives a client (hidden from the default list, kept whole); false when nothing changed. */
export async function archiveClient(
  tx: Tx,
  projectId: string,
  id: string,
  at: Date,
): Promise<boolean> {
  const rows = await tx`
    update public.crm_clients c set status = 'archived', archived_at = ${at.toISOString()}::timestamptz
     where c.id = ${id}::uuid and c.project_id = ${projectId}::uuid and c.status <> 'archived'`;
  return rows.count > 0;
}

/** Brings an archived client back as active; false when nothing changed. */
export async function restoreClient(tx: Tx, projectId: string, id: string): Promise<boolean> {
  const rows = await tx`
    update public.crm_clients c set status = 'active', archived_at = null
     where c.id = ${id}::uuid and c.project_id = ${projectId}::uuid and c.status = 'archived'`;
  return rows.count > 0;
}

/**
 * Removes a client with its messages, attempts and events (they cascade); its files in
 * Storage are the purge job's. False when RLS refused or there was none.
 */
export async function deleteClient(tx: Tx, projectId: string, id: string): Promise<boolean> {
  const rows = await tx`
    delete from public.crm_clients c where c.id = ${id}::uuid and c.project_id = ${projectId}::uuid`;
  return rows.count > 0;
}

export interface ClientListOptions {
  /** An ILIKE pattern over name, email and phone digits (already escaped), or none. */
  pattern?: string;
  /** One status; without it, every client but archived ones. */
  status?: ClientStatus;
  profileType?: string;
  tag?: string;
  sort: ClientSort;
  order: Order;
  after?: Position;
  limit: number;
}

/**
 * One page of a project's clients. A search reads its matches through the trigram index in
 * private.crm_client_ids_matching (RLS would keep ILIKE from using it); a page without one
 * reads one page of the sort's index.
 */
export async function listClients(
  tx: Tx,
  projectId: string,
  opts: ClientListOptions,
): Promise<Array<ClientRow & { sortKey: string }>> {
  const ks = keysets(tx)[opts.sort];
  return tx<Array<ClientRow & { sortKey: string }>>`
    select ${columns(tx)}, ${keysetKeyText(tx, ks)} as "sortKey"
      from public.crm_clients c
     where c.project_id = ${projectId}::uuid
       and ${keysetAfter(tx, ks, opts.order, opts.after)}
       ${opts.status ? tx`and c.status = ${opts.status}` : tx`and c.status <> 'archived'`}
       ${opts.profileType ? tx`and c.profile_type = ${opts.profileType}` : tx``}
       ${opts.tag ? tx`and c.tags @> array[${opts.tag}]::text[]` : tx``}
       ${
         opts.pattern
           ? tx`and c.id = any ((select private.crm_client_ids_matching(${projectId}::uuid, ${opts.pattern}))::uuid[])`
           : tx``
       }
     order by ${keysetOrder(tx, ks, opts.order)}
     limit ${opts.limit}`;
}
