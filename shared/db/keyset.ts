/**
 * Keyset paging in SQL: the query module selects the sort key as text (`keysetKeyText`) with
 * the id, filters with `keysetAfter` and sorts with `keysetOrder`. All three are postgres.js
 * fragments over static templates, so no input ever becomes SQL text. The sort key must be
 * NOT NULL, and an index on (key, id) serves the row comparison.
 *
 * @example
 * const ks: Keyset = { key: tx`p.created_at`, keyType: 'timestamptz', id: tx`p.id`, idType: 'uuid' };
 * const rows = await tx`select p.*, ${keysetKeyText(tx, ks)} as "sortKey" from public.profiles p
 *   where ${keysetAfter(tx, ks, order, after)} order by ${keysetOrder(tx, ks, order)}
 *   limit ${limit + 1}`;
 */
import type postgres from 'postgres';
import type { Tx } from './client.ts';

export type Order = 'asc' | 'desc';
type Fragment = postgres.Fragment;

/** Where the previous page ended, and the sort it was read in. */
export interface Position {
  sort: string;
  order: Order;
  /** The sort key as text: ISO 8601 with microseconds for timestamps. */
  key: string;
  id: string;
}

/** How one sort pages: static fragments for the key and id, and how to cast cursor values. */
export interface Keyset {
  key: Fragment;
  keyType: 'text' | 'timestamptz';
  id: Fragment;
  idType: 'uuid' | 'bigint' | 'text';
}

/** The sort key as text that casts back losslessly (timestamps keep their microseconds). */
export function keysetKeyText(sql: Tx, ks: Keyset): Fragment {
  return ks.keyType === 'timestamptz'
    ? sql`to_char(${ks.key} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`
    : sql`${ks.key}::text`;
}

/** Rows after `after` in this order (a row comparison, so a composite index serves it). */
export function keysetAfter(sql: Tx, ks: Keyset, order: Order, after?: Position): Fragment {
  if (!after) return sql`true`;
  // Via text: bound as a timestamptz, postgres.js would round the key through a JS Date (ms).
  const key =
    ks.keyType === 'timestamptz' ? sql`${after.key}::text::timestamptz` : sql`${after.key}::text`;
  const id =
    ks.idType === 'uuid'
      ? sql`${after.id}::uuid`
      : ks.idType === 'bigint'
        ? sql`${after.id}::bigint`
        : sql`${after.id}::text`;
  return order === 'asc'
    ? sql`(${ks.key}, ${ks.id}) > (${key}, ${id})`
    : sql`(${ks.key}, ${ks.id}) < (${key}, ${id})`;
}

/** `ORDER BY` for this keyset; the id breaks ties so the order is total. */
export function keysetOrder(sql: Tx, ks: Keyset, order: Order): Fragment {
  return order === 'asc' ? sql`${ks.key} asc, ${ks.id} asc` : sql`${ks.key} desc, ${ks.id} desc`;
}
