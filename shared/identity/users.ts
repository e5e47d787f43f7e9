import type { Tx } from '../db/client.ts';
import {
  type Keyset,
  keysetAfter,
  keysetKeyText,
  keysetOrder,
  type Order,
  type Position,
} from '../db/keyset.ts';
import type { Profile } from './profiles.ts';

/** A profile with its email, as the user routes show it. Run `asUser`: RLS decides who is seen. */
/** A profile with the email Auth holds for it. */
export interface UserRow extends Profile {
  email: string | null;
}

export type UserSort = 'created_at' | 'username';

const columns = (tx: Tx) => tx`
  p.id, e.email, p.username, p.first_name as "firstName", p.last_name as "lastName",
  p.avatar_url as "avatarUrl", p.is_active as "isActive", p.created_at as "createdAt",
  p.updated_at as "updatedAt"`;

// Both sort keys are NOT NULL, as keyset paging needs.
const keysets = (tx: Tx): Record<UserSort, Keyset> => ({
  created_at: { key: tx`p.created_at`, keyType: 'timestamptz', id: tx`p.id`, idType: 'uuid' },
  username: { key: tx`p.username`, keyType: 'text', id: tx`p.id`, idType: 'uuid' },
});

/** One user, or undefined when there is none or RLS hides the profile (the same to a caller). */
export async function findUser(tx: Tx, id: string): Promise<UserRow | undefined> {
  // private.user_emails shows the same rows profiles does: own, or all with users:read.
  const [row] = await tx<UserRow[]>`
    select ${columns(tx)}
      from public.profiles p left join private.user_emails e on e.id = p.id
     where p.id = ${id}::uuid`;
  return row;
}

/** `q` as a LIKE pattern matching it anywhere, its wildcards taken literally. */
export const containsPattern = (q: string) => `%${q.replace(/[\\%_]/g, '\\$&')}%`;

/**
 * One page of the users the caller may see (`limit` rows; ask for one more to learn whether
 * another page exists), optionally those whose email or username contains `q`.
 */
export async function listUsers(
  tx: Tx,
  opts: { q?: string; sort: UserSort; order: Order; after?: Position; limit: number },
): Promise<Array<UserRow & { sortKey: string }>> {
  const ks = keysets(tx)[opts.sort];
  const pattern = opts.q ? containsPattern(opts.q) : undefined;
  // Without users:read, RLS leaves only the caller's own profile.
  return tx<Array<UserRow & { sortKey: string }>>`
    select ${columns(tx)}, ${keysetKeyText(tx, ks)} as "sortKey"
      from public.profiles p left join private.user_emails e on e.id = p.id
     where ${keysetAfter(tx, ks, opts.order, opts.after)}
       ${pattern ? tx`and (p.username ilike ${pattern} or e.email ilike ${pattern})` : tx``}
     order by ${keysetOrder(tx, ks, opts.order)}
     limit ${opts.limit}`;
}
