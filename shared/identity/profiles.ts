import type { Tx } from '../db/client.ts';

export interface Profile {
  id: string;
  username: string;
  firstName: string | null;
  lastName: string | null;
  avatarUrl: string | null;
  isActive: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** The fields a user may change on their own profile. */
export interface ProfilePatch {
  username?: string;
  firstName?: string | null;
  lastName?: string | null;
  avatarUrl?: string | null;
}

const columns = (tx: Tx) => tx`
  id, username, first_name as "firstName", last_name as "lastName", avatar_url as "avatarUrl",
  is_active as "isActive", created_at as "createdAt", updated_at as "updatedAt"`;

/**
 * A profile by user id, or undefined when it does not exist or RLS hides it (as `asUser`,
 * a user sees their own; `users:read` sees all).
 */
export async function getProfile(tx: Tx, id: string): Promise<Profile | undefined> {
  // RLS decides visibility; no row and a hidden row look the same.
  const [row] = await tx<
    Profile[]
  >`select ${columns(tx)} from public.profiles where id = ${id}::uuid`;
  return row;
}

/**
 * Applies `patch` to a profile and returns it, or undefined when RLS hides it. Fields left
 * out stay as they are; `null` clears a name or avatar. A taken username fails with 23505.
 */
export async function updateProfile(
  tx: Tx,
  id: string,
  patch: ProfilePatch,
): Promise<Profile | undefined> {
  // Own row, or users:write; is_active is not in the patch and cannot change here.
  const [row] = await tx<Profile[]>`
    update public.profiles set
      username   = coalesce(${patch.username ?? null}, username),
      first_name = case when ${'firstName' in patch} then ${patch.firstName ?? null} else first_name end,
      last_name  = case when ${'lastName' in patch} then ${patch.lastName ?? null} else last_name end,
      avatar_url = case when ${'avatarUrl' in patch} then ${patch.avatarUrl ?? null} else avatar_url end
     where id = ${id}::uuid
    returning ${columns(tx)}`;
  return row;
}

/** Activates or deactivates a profile: `users:write` (RLS) or the service role only. */
export async function setProfileActive(tx: Tx, id: string, active: boolean): Promise<boolean> {
  // A trigger refuses this for anyone without users:write, the profile's owner included.
  const rows = await tx`
    update public.profiles set is_active = ${active} where id = ${id}::uuid returning 1`;
  return rows.length > 0;
}
