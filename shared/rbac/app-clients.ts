import type { Tx } from '../db/client.ts';
import {
  type Keyset,
  keysetAfter,
  keysetKeyText,
  keysetOrder,
  type Order,
  type Position,
} from '../db/keyset.ts';
import { containsPattern } from '../identity/users.ts';

/** An app client as the admin API shows it (never a secret). Run `asUser`: `app_clients:read`. */
export interface AppClientRow {
  id: string;
  name: string;
  description: string | null;
  allowedScopes: string[] | null;
  tokenLifetimeSeconds: number;
  tokenQuotaPerHour: number;
  enabled: boolean;
  roles: Array<{ id: string; name: string }>;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What a person sets on a client. */
export interface AppClientFields {
  name?: string;
  description?: string | null;
  allowedScopes?: string[] | null;
  tokenLifetimeSeconds?: number;
  tokenQuotaPerHour?: number;
  enabled?: boolean;
}

export type AppClientSort = 'name' | 'created_at';

const columns = (tx: Tx) => tx`
  c.id, c.name, c.description, c.allowed_scopes as "allowedScopes",
  c.token_lifetime_seconds as "tokenLifetimeSeconds", c.token_quota_per_hour as "tokenQuotaPerHour",
  c.enabled, c.created_by as "createdBy", c.created_at as "createdAt", c.updated_at as "updatedAt",
  coalesce((select jsonb_agg(jsonb_build_object('id', r.id, 'name', r.name) order by r.name)
              from public.app_client_roles cr join public.roles r on r.id = cr.role_id
             where cr.app_client_id = c.id), '[]'::jsonb) as roles`;

const keysets = (tx: Tx): Record<AppClientSort, Keyset> => ({
  name: { key: tx`c.name`, keyType: 'text', id: tx`c.id`, idType: 'uuid' },
  created_at: { key: tx`c.created_at`, keyType: 'timestamptz', id: tx`c.id`, idType: 'uuid' },
});

/** One page of clients, optionally by name (`q`) and state (`enabled`). */
export function listAppClients(
  tx: Tx,
  opts: {
    q?: string;
    enabled?: boolean;
    sort: AppClientSort;
    order: Order;
    after?: Position;
    limit: number;
  },
): Promise<Array<AppClientRow & { sortKey: string }>> {
  const ks = keysets(tx)[opts.sort];
  // RLS: without app_clients:read, no rows.
  return tx<Array<AppClientRow & { sortKey: string }>>`
    select ${columns(tx)}, ${keysetKeyText(tx, ks)} as "sortKey"
      from public.app_clients c
     where ${keysetAfter(tx, ks, opts.order, opts.after)}
       ${opts.q ? tx`and c.name ilike ${containsPattern(opts.q)}` : tx``}
       ${opts.enabled !== undefined ? tx`and c.enabled = ${opts.enabled}` : tx``}
     order by ${keysetOrder(tx, ks, opts.order)}
     limit ${opts.limit}`;
}

/** One client, or undefined when there is none or RLS hides it. */
export async function findAppClient(tx: Tx, id: string): Promise<AppClientRow | undefined> {
  const [row] = await tx<AppClientRow[]>`
    select ${columns(tx)} from public.app_clients c where c.id = ${id}::uuid`;
  return row;
}

/** Creates a client (no secret yet: `addClientSecret`); rbac:manage (RLS). */
export async function createAppClient(
  tx: Tx,
  fields: AppClientFields & { name: string },
): Promise<string> {
  // Defaults from the table for limits left out.
  const [row] = await tx<{ id: string }[]>`
    insert into public.app_clients (name, description, allowed_scopes, token_lifetime_seconds,
                                    token_quota_per_hour)
    values (${fields.name}, ${fields.description ?? null}, ${fields.allowedScopes ?? null}::text[],
            coalesce(${fields.tokenLifetimeSeconds ?? null}::int, 3600),
            coalesce(${fields.tokenQuotaPerHour ?? null}::int, 1000))
    returning id`;
  if (!row) throw new Error('app client insert returned no row');
  return row.id;
}

/** Changes the given fields; false when hidden or missing. rbac:manage (RLS). */
export async function updateAppClient(
  tx: Tx,
  id: string,
  fields: AppClientFields,
): Promise<boolean> {
  // Fields left out keep their value; `allowedScopes: null` lifts the limit.
  const rows = await tx`
    update public.app_clients set
      name = coalesce(${fields.name ?? null}, name),
      description = case when ${'description' in fields} then ${fields.description ?? null} else description end,
      allowed_scopes = case when ${'allowedScopes' in fields} then ${fields.allowedScopes ?? null}::text[] else allowed_scopes end,
      token_lifetime_seconds = coalesce(${fields.tokenLifetimeSeconds ?? null}::int, token_lifetime_seconds),
      token_quota_per_hour = coalesce(${fields.tokenQuotaPerHour ?? null}::int, token_quota_per_hour),
      enabled = coalesce(${fields.enabled ?? null}::boolean, enabled)
     where id = ${id}::uuid
    returning 1`;
  return rows.length > 0;
}

/** Deletes a client with its secrets, roles and revocations; false when missing. */
export async function deleteAppClient(tx: Tx, id: string): Promise<boolean> {
  // Its tokens stop at once in RLS and within 10 s at the API (the client is gone).
  const rows = await tx`delete from public.app_clients where id = ${id}::uuid returning 1`;
  return rows.length > 0;
}

/**
 * Adds a secret (its hash) at `now`; earlier secrets keep working `overlapSeconds` more.
 * Returns when they stop, or null when there were none. rbac:manage only (checked inside).
 */
export async function addClientSecret(
  tx: Tx,
  id: string,
  hash: Uint8Array,
  now: Date,
  overlapSeconds: number,
): Promise<Date | null> {
  // Locks the client row, so two rotations apply one after the other.
  const [row] = await tx<{ until: Date | null }[]>`
    select private.add_app_client_secret(${id}::uuid, ${hash}, ${now}, ${overlapSeconds}::int)
           as until`;
  return row?.until ?? null;
}
