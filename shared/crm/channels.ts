import type { Tx } from '../db/client.ts';
import {
  type Keyset,
  keysetAfter,
  keysetKeyText,
  keysetOrder,
  type Order,
  type Position,
} from '../db/keyset.ts';

/**
 * A WhatsApp Business number connected to a project. Run `asUser`: members see them, owners
 * change them. The sealed access token is never read here (API roles may not select it).
 */
export interface ChannelRow {
  id: string;
  projectId: string;
  phoneNumberId: string;
  displayPhoneNumber: string | null;
  wabaId: string | null;
  name: string;
  createdAt: Date;
  updatedAt: Date;
}

const columns = (tx: Tx) => tx`
  ch.id, ch.project_id as "projectId", ch.phone_number_id as "phoneNumberId",
  ch.display_phone_number as "displayPhoneNumber", ch.waba_id as "wabaId", ch.name,
  ch.created_at as "createdAt", ch.updated_at as "updatedAt"`;

/** One page of the project's numbers by (created_at, id). */
export function listChannels(
  tx: Tx,
  projectId: string,
  opts: { order: Order; after?: Position; limit: number },
): Promise<Array<ChannelRow & { sortKey: string }>> {
  const ks: Keyset = {
    key: tx`ch.created_at`,
    keyType: 'timestamptz',
    id: tx`ch.id`,
    idType: 'uuid',
  };
  return tx<Array<ChannelRow & { sortKey: string }>>`
    select ${columns(tx)}, ${keysetKeyText(tx, ks)} as "sortKey"
      from public.crm_channels ch
     where ch.project_id = ${projectId}::uuid and ${keysetAfter(tx, ks, opts.order, opts.after)}
     order by ${keysetOrder(tx, ks, opts.order)}
     limit ${opts.limit}`;
}

/** The ids of the project's numbers, oldest first (what sending chooses from). */
export async function channelIdsOf(tx: Tx, projectId: string): Promise<string[]> {
  const rows = await tx<{ id: string }[]>`
    select ch.id from public.crm_channels ch
     where ch.project_id = ${projectId}::uuid
     order by ch.created_at, ch.id
     limit 100`;
  return rows.map((r) => r.id);
}

export async function findChannel(
  tx: Tx,
  projectId: string,
  id: string,
): Promise<ChannelRow | undefined> {
  const [row] = await tx<ChannelRow[]>`
    select ${columns(tx)} from public.crm_channels ch
     where ch.id = ${id}::uuid and ch.project_id = ${projectId}::uuid`;
  return row;
}

/**
 * Connects a number. `id` is chosen first because the sealed token is bound to it. RLS admits
 * owners only (42501); a number already connected anywhere fails on its unique key (409).
 */
export async function createChannel(
  tx: Tx,
  c: {
    id: string;
    projectId: string;
    phoneNumberId: string;
    displayPhoneNumber: string | null;
    wabaId: string | null;
    name: string;
    sealedToken: string;
  },
): Promise<ChannelRow> {
  const [row] = await tx<ChannelRow[]>`
    insert into public.crm_channels as ch
           (id, project_id, phone_number_id, display_phone_number, waba_id, name, access_token)
    values (${c.id}::uuid, ${c.projectId}::uuid, ${c.phoneNumberId}, ${c.displayPhoneNumber},
            ${c.wabaId}, ${c.name}, ${c.sealedToken})
    returning ${columns(tx)}`;
  if (!row) throw new Error('insert returned no row');
  return row;
}

/** Renames a number or replaces its token; undefined when RLS let nothing change. */
export async function updateChannel(
  tx: Tx,
  projectId: string,
  id: string,
  f: {
    name?: string;
    displayPhoneNumber?: string | null;
    wabaId?: string | null;
    sealedToken?: string;
  },
): Promise<ChannelRow | undefined> {
  const value = (v: string | null | undefined, column: string) =>
    v !== undefined ? tx`${v}` : tx`${tx(column)}`;
  const [row] = await tx<ChannelRow[]>`
    update public.crm_channels ch
       set name = ${value(f.name, 'name')},
           display_phone_number = ${value(f.displayPhoneNumber, 'display_phone_number')},
           waba_id = ${value(f.wabaId, 'waba_id')}
           ${
             // Only when replaced: reading the column (even as `access_token = access_token`)
             // needs a SELECT privilege that API roles do not have on it.
             f.sealedToken !== undefined ? tx`, access_token = ${f.sealedToken}` : tx``
           }
     where ch.id = ${id}::uuid and ch.project_id = ${projectId}::uuid
    returning ${columns(tx)}`;
  return row;
}

/** Disconnects a number (its messages stay, without it); false when RLS refused. */
export async function deleteChannel(tx: Tx, projectId: string, id: string): Promise<boolean> {
  const rows = await tx`
    delete from public.crm_channels ch where ch.id = ${id}::uuid and ch.project_id = ${projectId}::uuid`;
  return rows.count > 0;
}
