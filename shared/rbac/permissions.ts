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

/** A permission (`resource:action`). Run `asUser`: RLS shows them to `permissions:read`. */
export interface PermissionRow {
  id: string;
  name: string;
  description: string | null;
  isSystem: boolean;
  createdAt: Date;
}

export type PermissionSort = 'name' | 'created_at';

const columns = (tx: Tx) => tx`
  p.id, p.name, p.description, p.is_system as "isSystem", p.created_at as "createdAt"`;

const keysets = (tx: Tx): Record<PermissionSort, Keyset> => ({
  name: { key: tx`p.name`, keyType: 'text', id: tx`p.id`, idType: 'uuid' },
  created_at: { key: tx`p.created_at`, keyType: 'timestamptz', id: tx`p.id`, idType: 'uuid' },
});

/** One page of permissions, optionally those whose name contains `q`. */
export function listPermissions(
  tx: Tx,
  opts: { q?: string; sort: PermissionSort; order: Order; after?: Position; limit: number },
): Promise<Array<PermissionRow & { sortKey: string }>> {
  const ks = keysets(tx)[opts.sort];
  // RLS: permissions:read or roles:read see the catalogue.
  return tx<Array<PermissionRow & { sortKey: string }>>`
    select ${columns(tx)}, ${keysetKeyText(tx, ks)} as "sortKey"
      from public.permissions p
     where ${keysetAfter(tx, ks, opts.order, opts.after)}
       ${opts.q ? tx`and p.name ilike ${containsPattern(opts.q)}` : tx``}
     order by ${keysetOrder(tx, ks, opts.order)}
     limit ${opts.limit}`;
}

/** One permission, or undefined when there is none or RLS hides it. */
export async function findPermission(tx: Tx, id: string): Promise<PermissionRow | undefined> {
  const [row] = await tx<PermissionRow[]>`
    select ${columns(tx)} from public.permissions p where p.id = ${id}::uuid`;
  return row;
}

/** Creates a permission; rbac:manage (RLS). A taken name fails with `permissions_name_key`. */
export async function createPermission(
  tx: Tx,
  fields: { name: string; description?: string | null },
): Promise<string> {
  // RLS: only rbac:manage inserts; the name's format is a CHECK.
  const [row] = await tx<{ id: string }[]>`
    insert into public.permissions (name, description)
    values (${fields.name}, ${fields.description ?? null}) returning id`;
  if (!row) throw new Error('permission insert returned no row');
  return row.id;
}

/** Renames or re-describes; false when hidden or missing. System names refuse (`permissions_system`). */
export async function updatePermission(
  tx: Tx,
  id: string,
  fields: { name?: string; description?: string | null },
): Promise<boolean> {
  // Fields left out keep their value.
  const rows = await tx`
    update public.permissions set
      name = coalesce(${fields.name ?? null}, name),
      description = case when ${'description' in fields} then ${fields.description ?? null} else description end
     where id = ${id}::uuid
    returning 1`;
  return rows.length > 0;
}

/** Deletes a permission (roles lose it); false when missing. System permissions refuse. */
export async function deletePermission(tx: Tx, id: string): Promise<boolean> {
  // role_permissions rows go by cascade.
  const rows = await tx`delete from public.permissions where id = ${id}::uuid returning 1`;
  return rows.length > 0;
}
