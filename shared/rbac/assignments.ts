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
 * The three many-to-many links of RBAC: a role's permissions, a user's roles and an app
 * client's roles. Run `asUser`: reading needs `roles:read` (or `app_clients:read` for a
 * client's roles), changing needs `rbac:manage`, both by RLS. Adding is idempotent and says
 * whether anything changed; removing says whether there was anything to remove.
 */

/** A role held by a user or an app client. */
export interface HeldRole {
  id: string;
  name: string;
  grantedAt: Date;
  grantedBy: string | null;
}

/** A permission of a role. */
export interface RolePermission {
  id: string;
  name: string;
  description: string | null;
}

export type HeldRoleSort = 'name' | 'granted_at';

const heldKeysets = (tx: Tx): Record<HeldRoleSort, Keyset> => ({
  name: { key: tx`r.name`, keyType: 'text', id: tx`r.id`, idType: 'uuid' },
  granted_at: { key: tx`a.granted_at`, keyType: 'timestamptz', id: tx`r.id`, idType: 'uuid' },
});

type Page = { order: Order; after?: Position; limit: number };

/** One page of a role's own permissions, by name. */
export function listRolePermissions(
  tx: Tx,
  roleId: string,
  opts: Page,
): Promise<Array<RolePermission & { sortKey: string }>> {
  const ks: Keyset = { key: tx`p.name`, keyType: 'text', id: tx`p.id`, idType: 'uuid' };
  return tx<Array<RolePermission & { sortKey: string }>>`
    select p.id, p.name, p.description, ${keysetKeyText(tx, ks)} as "sortKey"
      from public.role_permissions rp join public.permissions p on p.id = rp.permission_id
     where rp.role_id = ${roleId}::uuid and ${keysetAfter(tx, ks, opts.order, opts.after)}
     order by ${keysetOrder(tx, ks, opts.order)}
     limit ${opts.limit}`;
}

/** Gives a role a permission; true when it did not have it. */
export async function addRolePermission(tx: Tx, roleId: string, permissionId: string) {
  // Idempotent: a held permission changes nothing.
  const rows = await tx`
    insert into public.role_permissions (role_id, permission_id)
    values (${roleId}::uuid, ${permissionId}::uuid)
    on conflict do nothing returning 1`;
  return rows.length > 0;
}

/** Takes a permission from a role; false when it did not have it. May refuse (last holder). */
export async function removeRolePermission(tx: Tx, roleId: string, permissionId: string) {
  // The last-holder guard refuses (23514) when this leaves nobody with rbac:manage.
  const rows = await tx`
    delete from public.role_permissions
     where role_id = ${roleId}::uuid and permission_id = ${permissionId}::uuid returning 1`;
  return rows.length > 0;
}

/** One page of the roles a user holds directly (inherited roles are not assignments). */
export function listUserRoles(
  tx: Tx,
  userId: string,
  opts: Page & { sort: HeldRoleSort },
): Promise<Array<HeldRole & { sortKey: string }>> {
  const ks = heldKeysets(tx)[opts.sort];
  return tx<Array<HeldRole & { sortKey: string }>>`
    select r.id, r.name, a.granted_at as "grantedAt", a.granted_by as "grantedBy",
           ${keysetKeyText(tx, ks)} as "sortKey"
      from public.user_roles a join public.roles r on r.id = a.role_id
     where a.user_id = ${userId}::uuid and ${keysetAfter(tx, ks, opts.order, opts.after)}
     order by ${keysetOrder(tx, ks, opts.order)}
     limit ${opts.limit}`;
}

/** Gives a user a role; true when they did not hold it. Unknown user: `user_roles_user_id_fkey`. */
export async function addUserRole(tx: Tx, userId: string, roleId: string) {
  // granted_by defaults to the caller (auth.uid()).
  const rows = await tx`
    insert into public.user_roles (user_id, role_id) values (${userId}::uuid, ${roleId}::uuid)
    on conflict do nothing returning 1`;
  return rows.length > 0;
}

/** Takes a role from a user; false when they did not hold it. May refuse (last holder). */
export async function removeUserRole(tx: Tx, userId: string, roleId: string) {
  // The last-holder guard refuses (23514) when this leaves nobody with rbac:manage.
  const rows = await tx`
    delete from public.user_roles where user_id = ${userId}::uuid and role_id = ${roleId}::uuid
    returning 1`;
  return rows.length > 0;
}

/** One page of the roles an app client holds. */
export function listClientRoles(
  tx: Tx,
  clientId: string,
  opts: Page & { sort: HeldRoleSort },
): Promise<Array<HeldRole & { sortKey: string }>> {
  const ks = heldKeysets(tx)[opts.sort];
  return tx<Array<HeldRole & { sortKey: string }>>`
    select r.id, r.name, a.granted_at as "grantedAt", a.granted_by as "grantedBy",
           ${keysetKeyText(tx, ks)} as "sortKey"
      from public.app_client_roles a join public.roles r on r.id = a.role_id
     where a.app_client_id = ${clientId}::uuid and ${keysetAfter(tx, ks, opts.order, opts.after)}
     order by ${keysetOrder(tx, ks, opts.order)}
     limit ${opts.limit}`;
}

/** Gives an app client a role; true when it did not hold it. */
export async function addClientRole(tx: Tx, clientId: string, roleId: string) {
  // granted_by defaults to the caller (auth.uid()).
  const rows = await tx`
    insert into public.app_client_roles (app_client_id, role_id)
    values (${clientId}::uuid, ${roleId}::uuid)
    on conflict do nothing returning 1`;
  return rows.length > 0;
}

/** Takes a role from an app client; false when it did not hold it. */
export async function removeClientRole(tx: Tx, clientId: string, roleId: string) {
  // Its tokens lose the role's permissions at the API within 10 s, in RLS at once.
  const rows = await tx`
    delete from public.app_client_roles
     where app_client_id = ${clientId}::uuid and role_id = ${roleId}::uuid returning 1`;
  return rows.length > 0;
}
