import type { Tx } from '../db/client.ts';
import {
  type Keyset,
  keysetAfter,
  keysetKeyText,
  keysetOrder,
  type Order,
  type Position,
} from '../db/keyset.ts';
import type { Role } from './projects.ts';

/** One membership. Run `asUser`: members of a project (and `projects:read_all`) see its rows. */
export interface MemberRow {
  /** The member's user id; `id` too, as the keyset's tie-breaker (unique within a project). */
  id: string;
  userId: string;
  role: Role;
  addedBy: string | null;
  createdAt: Date;
  /** The member's public face, which people sharing a project see of each other. */
  username: string | null;
  firstName: string | null;
  lastName: string | null;
  avatarUrl: string | null;
}

// `pr` is private.co_member_profile's row, joined laterally: see the member_profiles migration.
const columns = (tx: Tx) => tx`
  m.user_id as id, m.user_id as "userId", m.role, m.added_by as "addedBy",
  m.created_at as "createdAt", pr.username, pr.first_name as "firstName",
  pr.last_name as "lastName", pr.avatar_url as "avatarUrl"`;

const profile = (tx: Tx) => tx`left join lateral private.co_member_profile(m.user_id) pr on true`;

export async function findMember(
  tx: Tx,
  projectId: string,
  userId: string,
): Promise<MemberRow | undefined> {
  const [row] = await tx<MemberRow[]>`
    select ${columns(tx)} from public.project_members m ${profile(tx)}
     where m.project_id = ${projectId}::uuid and m.user_id = ${userId}::uuid`;
  return row;
}

/** One page of a project's members, by when they joined (the owner who created it first). */
export async function listMembers(
  tx: Tx,
  projectId: string,
  opts: { order: Order; after?: Position; limit: number },
): Promise<Array<MemberRow & { sortKey: string }>> {
  const ks: Keyset = {
    key: tx`m.created_at`,
    keyType: 'timestamptz',
    id: tx`m.user_id`,
    idType: 'uuid',
  };
  return tx<Array<MemberRow & { sortKey: string }>>`
    select ${columns(tx)}, ${keysetKeyText(tx, ks)} as "sortKey"
      from public.project_members m ${profile(tx)}
     where m.project_id = ${projectId}::uuid
       and ${keysetAfter(tx, ks, opts.order, opts.after)}
     order by ${keysetOrder(tx, ks, opts.order)}
     limit ${opts.limit}`;
}

/**
 * Adds a member as the caller (`added_by`). RLS lets only the owner or `projects:write_all`
 * do it, and only as editor or viewer (42501 otherwise); an existing member is 23505 and an
 * unknown user 23503.
 */
export async function addMember(
  tx: Tx,
  projectId: string,
  userId: string,
  role: Role,
): Promise<void> {
  await tx`
    insert into public.project_members (project_id, user_id, role, added_by)
    values (${projectId}::uuid, ${userId}::uuid, ${role}::public.project_role,
            (select auth.uid()))`;
}

/** Changes a member's role; false when RLS let no row change. */
export async function setMemberRole(
  tx: Tx,
  projectId: string,
  userId: string,
  role: Role,
): Promise<boolean> {
  const rows = await tx`
    update public.project_members set role = ${role}::public.project_role
     where project_id = ${projectId}::uuid and user_id = ${userId}::uuid`;
  return rows.count > 0;
}

/** Removes a member; false when RLS let no row go. */
export async function removeMember(tx: Tx, projectId: string, userId: string): Promise<boolean> {
  const rows = await tx`
    delete from public.project_members
     where project_id = ${projectId}::uuid and user_id = ${userId}::uuid`;
  return rows.count > 0;
}

/** The user with this email address, for sharing by email; undefined when there is none. */
export async function findUserIdByEmail(tx: Tx, email: string): Promise<string | undefined> {
  const [row] = await tx<{ id: string | null }[]>`
    select private.find_user_id_by_email(${email}) as id`;
  return row?.id ?? undefined;
}
