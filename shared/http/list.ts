/**
 * The list convention: every list endpoint pages, sorts and answers the same way.
 *
 * - Query: `limit` (1–100, default 20), `cursor` (opaque; the `next_cursor` of the previous
 *   page), `sort` (one of the endpoint's allow-list, default its first entry), `order`
 *   (`asc` | `desc`, default per endpoint), plus the endpoint's own filters.
 * - Response: `{ data: [...], next_cursor: string | null }`; null means the last page.
 * - Paging is keyset, not offset (`db/keyset.ts`): rows inserted meanwhile never shift a
 *   page. The cursor (`http/cursor.ts`) is signed, so a client can neither forge nor reuse
 *   it on another list.
 *
 * @example
 * const Query = listQuerySchema({ sort: ['created_at', 'username'] }).extend({ q: z.string().optional() });
 * // route: responses 200 → listResponseSchema('UserList', User)
 * const query = c.req.valid('query');
 * const cursors = cursorCodec(c.var.services.config.CURSOR_SECRET, 'users');
 * const rows = await asUser(db, claims, (tx) =>
 *   listUsers(tx, { ...query, after: await cursors.decode(query), limit: query.limit + 1 }));
 * return c.json(await toPage(cursors, query, rows, toUser), 200);
 */
import { z } from '@hono/zod-openapi';
import type { Order } from '../db/keyset.ts';
import type { CursorCodec } from './cursor.ts';

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
