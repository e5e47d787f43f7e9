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

/** A role as the admin API shows it. Run `asUser`: RLS shows roles to `roles:read`. */
export interface RoleRow {
  id: string;
  name: string;
  description: string | null;
  parentId: string | null;
  isSystem: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export type RoleSort = 'name' | 'created_at';

const columns = (tx: Tx) => tx`
  r.id, r.name, r.description, r.parent_id as "parentId", r.is_system as "isSystem",
  r.created_at as "createdAt", r.updated_at as "updatedAt"`;

// Both sort keys are NOT NULL, as keyset paging needs; names are unique besides.
const keysets = (tx: Tx): Record<RoleSort, Keyset> => ({
  name: { key: tx`r.name`, keyType: 'text', id: tx`r.id`, idType: 'uuid' },
  created_at: { key: tx`r.created_at`, keyType: 'timestamptz', id: tx`r.id`, idType: 'uuid' },
});

/** One page of roles, optionally those whose name contains `q`. */
export function listRoles(
  tx: Tx,
  opts: { q?: string; sort: RoleSort; order: Order; after?: Position; limit: number },
): Promise<Array<RoleRow & { sortKey: string }>> {
  const ks = keysets(tx)[opts.sort];
  // RLS: without roles:read, no rows.
  return tx<Array<RoleRow & { sortKey: string }>>`
    select ${columns(tx)}, ${keysetKeyText(tx, ks)} as "sortKey"
      from public.roles r
     where ${keysetAfter(tx, ks, opts.order, opts.after)}
       ${opts.q ? tx`and r.name ilike ${containsPattern(opts.q)}` : tx``}
     order by ${keysetOrder(tx, ks, opts.order)}
     limit ${opts.limit}`;
}

/** A role with its own permissions and those it inherits from its ancestors. */
export interface RoleDetail extends RoleRow {
  permissions: string[];
  effectivePermissions: string[];
}

/** One role, or undefined when there is none or RLS hides it. */
export async function findRole(tx: Tx, id: string): Promise<RoleDetail | undefined> {
  // The ancestor walk uses `union`, so it ends even if a cycle ever slipped in.
  const [row] = await tx<RoleDetail[]>`
    with recursive chain as (
      select r.id, r.parent_id from public.roles r where r.id = ${id}::uuid
      union
      select p.id, p.parent_id from public.roles p join chain c on p.id = c.parent_id
    )
    select ${columns(tx)},
           coalesce((select array_agg(pm.name order by pm.name)
                       from public.role_permissions rp join public.permissions pm on pm.id = rp.permission_id
                      where rp.role_id = r.id), '{}') as permissions,
           coalesce((select array_agg(distinct pm.name order by pm.name)
                       from chain c join public.role_permissions rp on rp.role_id = c.id
                       join public.permissions pm on pm.id = rp.permission_id), '{}')
             as "effectivePermissions"
      from public.roles r where r.id = ${id}::uuid`;
  return row;
}

/** The fields of a role a person sets. */
export interface RoleFields {
  name?: string;
  description?: string | null;
  parentId?: string | null;
}

/**
 * Creates a role; rbac:manage (RLS). A taken name fails with `roles_name_key`, an unknown
 * parent with `roles_parent_id_fkey`.
 */
export async function createRole(tx: Tx, fields: RoleFields & { name: string }): Promise<string> {
  // RLS: only rbac:manage inserts.
  const [row] = await tx<{ id: string }[]>`
    insert into public.roles (name, description, parent_id)
    values (${fields.name}, ${fields.description ?? null}, ${fields.parentId ?? null}::uuid)
    returning id`;
  if (!row) throw new Error('role insert returned no row');
  return row.id;
}

/**
 * Changes the given fields of a role; false when RLS hides it or it does not exist. A cycle
 * fails with `roles_no_cycle` (or `roles_not_own_parent`), renaming a system role with
 * `roles_system`, and losing the last holder of rbac:manage with `rbac_manage_last_holder`.
 */
export async function updateRole(tx: Tx, id: string, fields: RoleFields): Promise<boolean> {
  // Fields left out keep their value; parent_id is only written when given, so the
  // last-holder guard runs only for a real change of parent.
  const rows = await tx`
    update public.roles set
      name = coalesce(${fields.name ?? null}, name),
      description = case when ${'description' in fields} then ${fields.description ?? null} else description end
      ${'parentId' in fields ? tx`, parent_id = ${fields.parentId ?? null}::uuid` : tx``}
     where id = ${id}::uuid
    returning 1`;
  return rows.length > 0;
}

/** Deletes a role; false when it does not exist. System roles and the last holder refuse (23514). */
export async function deleteRole(tx: Tx, id: string): Promise<boolean> {
  // Children lose the parent (on delete set null); assignments of it go with it.
  const rows = await tx`delete from public.roles where id = ${id}::uuid returning 1`;
  return rows.length > 0;
}
