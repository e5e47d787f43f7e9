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

// The email comes from private.user_emails, which shows the same rows profiles does (own, or
// all with users:read). A subquery per row rather than a join: the view is a security
// barrier, so a join would read all of auth.users, while `e.id = p.id` looks up just the
// rows of the page.
const columns = (tx: Tx) => tx`
  p.id, (select e.email from private.user_emails e where e.id = p.id) as email, p.username,
  p.first_name as "firstName", p.last_name as "lastName", p.avatar_url as "avatarUrl",
  p.is_active as "isActive", p.created_at as "createdAt", p.updated_at as "updatedAt"`;

// Both sort keys are NOT NULL, as keyset paging needs.
const keysets = (tx: Tx): Record<UserSort, Keyset> => ({
  created_at: { key: tx`p.created_at`, keyType: 'timestamptz', id: tx`p.id`, idType: 'uuid' },
  username: { key: tx`p.username`, keyType: 'text', id: tx`p.id`, idType: 'uuid' },
});

/** One user, or undefined when there is none or RLS hides the profile (the same to a caller). */
export async function findUser(tx: Tx, id: string): Promise<UserRow | undefined> {
  const [row] = await userById(tx, id);
  return row;
}

/** `findUser` as one statement, unsent: its one row, or none (missing or hidden). */
export function userById(tx: Tx, id: string) {
  return tx<UserRow[]>`select ${columns(tx)} from public.profiles p where p.id = ${id}::uuid`;
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
  // Without users:read, RLS leaves only the caller's own profile. The search runs in
  // private.user_ids_matching, where its trigram indexes can serve the ILIKE (under RLS they
  // cannot: ILIKE is not leakproof), and applies the same visibility rule. In a subquery, so
  // it runs once, at execution, and not again while planning.
  return tx<Array<UserRow & { sortKey: string }>>`
    select ${columns(tx)}, ${keysetKeyText(tx, ks)} as "sortKey"
      from public.profiles p
     where ${keysetAfter(tx, ks, opts.order, opts.after)}
       ${pattern ? tx`and p.id = any ((select private.user_ids_matching(${pattern}))::uuid[])` : tx``}
     order by ${keysetOrder(tx, ks, opts.order)}
     limit ${opts.limit}`;
}
