import type { Grants } from '../auth/principal.ts';
import type { Tx } from '../db/client.ts';

/**
 * A user's effective permissions (their roles' and every ancestor role's), sorted. Reads
 * the tables, not the JWT, so it is current; the API uses it when a token carries
 * `permissions_overflow`. Service role only (`asService`).
 */
export async function userPermissions(tx: Tx, userId: string): Promise<string[]> {
  // Distinct and sorted; an unknown user has none.
  const [row] = await tx<{ p: string[] }[]>`
    select private.user_permissions(${userId}::uuid) as p`;
  return row?.p ?? [];
}

/**
 * A user's effective roles and permissions in one query: what the API's checks use, read
 * from the tables so a changed role counts before the user's token is refreshed. Service
 * role only (`asService`).
 */
export async function userGrants(tx: Tx, userId: string): Promise<Grants> {
  // Both distinct and sorted, inherited roles included; an unknown user has none.
  const [row] = await tx<Grants[]>`
    select private.user_roles_flat(${userId}::uuid) as roles,
           private.user_permissions(${userId}::uuid) as permissions`;
  return row ?? { roles: [], permissions: [] };
}

/** A user's effective role names, including inherited ones (admin implies user). Service role only. */
export async function userRoles(tx: Tx, userId: string): Promise<string[]> {
  // Distinct and sorted, parents included.
  const [row] = await tx<{ r: string[] }[]>`
    select private.user_roles_flat(${userId}::uuid) as r`;
  return row?.r ?? [];
}

/**
 * Gives `userId` the role named `roleName`. Returns false when they already held it. Works
 * as the service role, or as a user with `rbac:manage` (RLS). Throws when the role does not
 * exist (or the caller cannot see it).
 *
 * @example
 * await grantRole(tx, userId, 'admin', principal.id);
 */
export async function grantRole(
  tx: Tx,
  userId: string,
  roleName: string,
  grantedBy: string | null,
): Promise<boolean> {
  // Idempotent: granting a held role changes nothing, not even granted_at.
  const [row] = await tx<{ found: boolean; granted: boolean }[]>`
    with role as (select id from public.roles where name = ${roleName}),
         ins as (
           insert into public.user_roles (user_id, role_id, granted_by)
           select ${userId}::uuid, role.id, ${grantedBy}::uuid from role
           on conflict do nothing
           returning 1)
    select exists (select 1 from role) as found, exists (select 1 from ins) as granted`;
  if (!row?.found) throw new Error(`Unknown role: ${roleName}`);
  return row.granted;
}

/** Takes the role from the user; returns false when they did not hold it. Service role or `rbac:manage`. */
export async function revokeRole(tx: Tx, userId: string, roleName: string): Promise<boolean> {
  // Takes effect on the next statement: private.authorize() reads the tables, not the JWT.
  const rows = await tx`
    delete from public.user_roles ur using public.roles r
     where ur.role_id = r.id and ur.user_id = ${userId}::uuid and r.name = ${roleName}
    returning 1`;
  return rows.length > 0;
}

/**
 * Whether `userId` is the only holder of `rbac:manage`: the database refuses to delete them
 * (or take it from them), so the API asks first and answers 409 itself.
 */
export async function soleRbacManager(tx: Tx, userId: string): Promise<boolean> {
  // True only when exactly this user holds it.
  const [row] = await tx<{ sole: boolean }[]>`
    select private.sole_rbac_manager(${userId}::uuid) as sole`;
  return row?.sole ?? false;
}
