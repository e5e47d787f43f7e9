/**
 * The list convention: every list endpoint pages, sorts and answers the same way.
 *
 * - Query: `limit` (1–100, default 20), `cursor` (opaque; the `next_cursor` of the previous
 *   page), `sort` (one of the endpoint's allow-list, default its first entry), `order`
 *   (`asc` | `desc`, default per endpoint), plus the endpoint's own filters.
 * - Response: `{ data: [...], next_cursor: string | null }`; null means the last page.
 * - Paging is keyset, not offset: the cursor holds the last row's sort key and id, signed
 *   (HMAC, bound to the endpoint and the sort), so a tampered or foreign cursor is a
 *   422 at `query.cursor`, and rows inserted meanwhile never shift a page.
 * - SQL: the query module selects the sort key as text (`keysetKeyText`) with the id, filters
 *   with `keysetAfter` and sorts with `keysetOrder`; all three are postgres.js fragments over
 *   static templates, so no input ever becomes SQL text. The sort key must be NOT NULL.
 *
 * @example
 * const Query = listQuerySchema({ sort: ['created_at', 'username'] }).extend({ q: z.string().optional() });
 * // route: responses 200 → listResponseSchema('UserList', User)
 * const query = c.req.valid('query');
 * const cursors = cursorCodec(c.var.services.config.SUPABASE_SERVICE_ROLE_KEY, 'users');
 * const after = await cursors.decode(query);
 * const ks: Keyset = { key: tx`p.created_at`, keyType: 'timestamptz', id: tx`p.id`, idType: 'uuid' };
 * const rows = await tx`select p.*, ${keysetKeyText(tx, ks)} as "sortKey" from public.profiles p
 *   where ${keysetAfter(tx, ks, query.order, after)} order by ${keysetOrder(tx, ks, query.order)}
 *   limit ${query.limit + 1}`;
 * return c.json(await toPage(cursors, query, rows, toUser), 200);
 */
import { z } from '@hono/zod-openapi';
import type postgres from 'postgres';
import type { Sql, Tx } from '../db/client.ts';
import { AppError } from '../errors.ts';

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

/** The query schema every list endpoint starts from; `.extend()` it with filters. */
export function listQuerySchema<const S extends readonly [string, ...string[]]>(opts: {
  sort: S;
  defaultOrder?: Order;
}) {
  return z.object({
    limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ example: 20 }),
    cursor: z.string().min(1).max(1024).optional().openapi({
      description: 'The `next_cursor` of the previous page; leave out for the first page',
    }),
    sort: z.enum(opts.sort).default(opts.sort[0]).openapi({ example: opts.sort[0] }),
    order: z
      .enum(['asc', 'desc'])
      .default(opts.defaultOrder ?? 'desc')
      .openapi({ example: opts.defaultOrder ?? 'desc' }),
  });
}

/** The `{ data, next_cursor }` envelope for a list of `item`. */
export function listResponseSchema<T extends z.ZodType>(name: string, item: T) {
  return z
    .object({
      data: z.array(item),
      next_cursor: z.string().nullable().openapi({ description: 'null on the last page' }),
    })
    .openapi(name);
}

const invalidCursor = (message: string) =>
  new AppError('validation_failed', {
    detail: 'The request does not match the schema',
    errors: [{ path: 'query.cursor', message }],
  });

const TAG_BYTES = 16;
const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    // A label keeps this key apart from any other use of the same secret.
    const material = encoder.encode(`list-cursor-v1:${secret}`);
    key = crypto.subtle.importKey('raw', material, { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
    ]);
    keys.set(secret, key);
  }
  return key;
}

async function tag(secret: string, scope: string, payload: Uint8Array): Promise<Uint8Array> {
  const scoped = new Uint8Array([...encoder.encode(`${scope}\n`), ...payload]);
  const mac = await crypto.subtle.sign('HMAC', await hmacKey(secret), scoped);
  return new Uint8Array(mac).slice(0, TAG_BYTES);
}

function toBase64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  try {
    return Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (ch) =>
      ch.charCodeAt(0),
    );
  } catch {
    return undefined;
  }
}

export interface CursorCodec {
  encode(position: Position): Promise<string>;
  /** The position in `query.cursor`, undefined without one; 422 when it is not ours or not for this sort. */
  decode(query: { cursor?: string; sort: string; order: Order }): Promise<Position | undefined>;
}

/** Cursors for one endpoint (`scope`), signed with `secret` so clients cannot forge them. */
export function cursorCodec(secret: string, scope: string): CursorCodec {
  return {
    async encode(p) {
      const payload = encoder.encode(JSON.stringify([p.sort, p.order, p.key, p.id]));
      return toBase64Url(new Uint8Array([...payload, ...(await tag(secret, scope, payload))]));
    },
    async decode({ cursor, sort, order }) {
      if (cursor === undefined) return undefined;
      const bytes = fromBase64Url(cursor);
      if (!bytes || bytes.length <= TAG_BYTES) throw invalidCursor('Malformed cursor');
      const payload = bytes.slice(0, -TAG_BYTES);
      const expected = await tag(secret, scope, payload);
      // Compare every byte, so timing says nothing about how much of a forgery matched.
      let diff = 0;
      for (let i = 0; i < TAG_BYTES; i++)
        diff |= (bytes[payload.length + i] ?? 0) ^ (expected[i] ?? 0);
      if (diff !== 0) throw invalidCursor('The cursor was altered or belongs to another list');
      const [s, o, key, id] = JSON.parse(new TextDecoder().decode(payload)) as string[];
      if (s !== sort || o !== order)
        throw invalidCursor('The cursor belongs to another sort; start again');
      return { sort, order, key: String(key), id: String(id) };
    },
  };
}

/** How one sort pages: static fragments for the key and id, and how to cast cursor values. */
export interface Keyset {
  key: Fragment;
  keyType: 'text' | 'timestamptz';
  id: Fragment;
  idType: 'uuid' | 'bigint';
}

/** The sort key as text that casts back losslessly (timestamps keep their microseconds). */
export function keysetKeyText(sql: Sql | Tx, ks: Keyset): Fragment {
  return ks.keyType === 'timestamptz'
    ? sql`to_char(${ks.key} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`
    : sql`${ks.key}::text`;
}

/** Rows after `after` in this order (a row comparison, so a composite index serves it). */
export function keysetAfter(sql: Sql | Tx, ks: Keyset, order: Order, after?: Position): Fragment {
  if (!after) return sql`true`;
  // Via text: bound as a timestamptz, postgres.js would round the key through a JS Date (ms).
  const key =
    ks.keyType === 'timestamptz' ? sql`${after.key}::text::timestamptz` : sql`${after.key}::text`;
  const id = ks.idType === 'uuid' ? sql`${after.id}::uuid` : sql`${after.id}::bigint`;
  return order === 'asc'
    ? sql`(${ks.key}, ${ks.id}) > (${key}, ${id})`
    : sql`(${ks.key}, ${ks.id}) < (${key}, ${id})`;
}

/** `ORDER BY` for this keyset; the id breaks ties so the order is total. */
export function keysetOrder(sql: Sql | Tx, ks: Keyset, order: Order): Fragment {
  return order === 'asc' ? sql`${ks.key} asc, ${ks.id} asc` : sql`${ks.key} desc, ${ks.id} desc`;
}

/**
 * The response for rows fetched with `limit + 1`: the extra row only says another page
 * exists; the cursor points at the last row shown. `sortKey` is dropped by `map`.
 */
export async function toPage<R extends { sortKey: string; id: string }, T>(
  cursors: CursorCodec,
  query: { limit: number; sort: string; order: Order },
  rows: readonly R[],
  map: (row: R) => T,
): Promise<{ data: T[]; next_cursor: string | null }> {
  const shown = rows.slice(0, query.limit);
  const last = shown.at(-1);
  const more = rows.length > query.limit && last !== undefined;
  const next = more
    ? await cursors.encode({ sort: query.sort, order: query.order, key: last.sortKey, id: last.id })
    : null;
  return { data: shown.map(map), next_cursor: next };
}
