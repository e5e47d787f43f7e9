import type { Tx } from '../../../../../shared/db/client.ts';
import { readJson } from '../../context.ts';
import { ERRORS } from '../../errors.ts';
import type { Route } from '../../router.ts';
import { mustBeValidBucketName } from '../../rules.ts';
import { Fields } from '../../validate.ts';

interface Cursor {
  after: string;
  order: 'asc' | 'desc';
  column: 'name' | 'updated_at' | 'created_at';
  /** The sort column's value at `after`, for date sorts. */
  at?: string;
}

// Storage's continuation token: base64 of "l:<last key>\no:<order>\nc:<column>\na:<value>".
const encode = (c: Cursor) =>
  Buffer.from(
    [`l:${c.after}`, `o:${c.order}`, `c:${c.column}`, ...(c.at ? [`a:${c.at}`] : [])].join('\n'),
  ).toString('base64');

function decode(token: string): Cursor {
  const parts: Record<string, string> = {};
  for (const line of Buffer.from(token, 'base64').toString().split('\n')) {
    const m = /^([loca]):(.*)$/s.exec(line);
    if (!m?.[1]) throw ERRORS.invalidParameter('continuation token');
    parts[m[1]] = m[2] ?? '';
  }
  const column = parts.c === 'updated_at' || parts.c === 'created_at' ? parts.c : 'name';
  return { after: parts.l ?? '', order: parts.o === 'desc' ? 'desc' : 'asc', column, at: parts.a };
}

type Row = Record<string, unknown>;
const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : v);
const json = (row: Row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, iso(v)]));

/** Folders (with the delimiter) and objects under the prefix after the cursor, as the caller. */
function page(tx: Tx, bucket: string, prefix: string, delimit: boolean, c: Cursor, n: number) {
  const dir = c.order === 'desc' ? tx`desc` : tx`asc`;
  const beyond = c.order === 'desc' ? tx`<` : tx`>`;
  const col = tx(c.column);
  const afterCursor = !c.after
    ? tx`true`
    : c.column !== 'name' && c.at
      ? tx`(date_trunc('milliseconds', e.${col}), e.name collate "C") ${beyond} (${c.at}::timestamptz, ${c.after} collate "C")`
      : tx`e.name collate "C" ${beyond} ${c.after}`;
  const order = delimit || c.column === 'name' ? tx`` : tx`e.${col} ${dir},`;
  return tx`
    with under as (
      select o.*, substr(o.name, length(${prefix}) + 1) as rest
        from storage.objects o
       where o.bucket_id = ${bucket} and left(o.name, length(${prefix})) = ${prefix}
    ), entries as (
      ${
        delimit
          ? tx`select ${prefix} || split_part(u.rest, '/', 1) || '/' as name, null::uuid as id,
                      null::jsonb as metadata, null::timestamptz as updated_at,
                      null::timestamptz as created_at, null::timestamptz as last_accessed_at
                 from under u where strpos(u.rest, '/') > 0 group by 1
               union all
               select u.name, u.id, u.metadata, u.updated_at, u.created_at, u.last_accessed_at
                 from under u where strpos(u.rest, '/') = 0`
          : tx`select u.name, u.id, u.metadata, u.updated_at, u.created_at, u.last_accessed_at
                 from under u`
      }
    )
    select * from entries e where ${afterCursor}
     order by ${order} e.name collate "C" ${dir}
     limit ${n}`;
}

/**
 * `POST /object/list-v2/:bucket`: storage-js `listV2`. A flat (or, `with_delimiter`,
 * folder-grouped) listing by key with a continuation cursor; RLS decides what is listed.
 */
export const listObjectsV2: Route = {
  method: 'POST',
  path: '/object/list-v2/:bucket',
  operation: 'storage.object.list_v2',
  auth: 'jwt',
  async handle(ctx) {
    const body = Fields.of((await readJson(ctx.request, { allowEmpty: true })) ?? {});
    const prefix = body.string('prefix') ?? '';
    const limit = Math.min(body.integer('limit', { min: 1 }) ?? 1000, 1000);
    const token = body.string('cursor');
    const delimit = body.boolean('with_delimiter') === true;
    const sortBy = body.object('sortBy')?.need('column');
    const bucket = ctx.params.bucket as string;
    mustBeValidBucketName(bucket);
    const cursor: Cursor = token
      ? decode(token)
      : {
          after: '',
          column: sortBy?.oneOf('column', ['name', 'updated_at', 'created_at'] as const) ?? 'name',
          order: sortBy?.oneOf('order', ['asc', 'desc'] as const) ?? 'asc',
        };
    // Folders have no dates: a grouped listing is ordered by key.
    if (delimit) cursor.column = 'name';
    const rows = (await ctx.meta.asCaller((tx) =>
      page(tx.tx, bucket, prefix, delimit, cursor, limit + 1),
    )) as Row[];
    const hasNext = rows.length > limit;
    const shown = rows.slice(0, limit);
    const last = shown.at(-1);
    const nextCursor =
      hasNext && last
        ? encode({
            ...cursor,
            after: String(last.name),
            at:
              last[cursor.column] instanceof Date
                ? (last[cursor.column] as Date).toISOString()
                : undefined,
          })
        : undefined;
    return Response.json({
      hasNext,
      nextCursor,
      nextCursorKey: hasNext ? last?.name : undefined,
      folders: shown.filter((r) => r.id === null).map(json),
      objects: shown.filter((r) => r.id !== null).map(json),
    });
  },
};
