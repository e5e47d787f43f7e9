import type postgres from 'postgres';
import type { Tx } from '../../../../shared/db/client.ts';

type Row = Record<string, unknown>;
/** Column values as the driver takes them. */
export type Values = Record<string, postgres.ParameterOrJSON<never>>;

export interface BucketRow {
  id: string;
  name: string;
  public: boolean;
  file_size_limit: string | number | null;
  allowed_mime_types: string[] | null;
}

const defined = (data: Row) =>
  Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined)) as Values;

/** Inserts a bucket (RLS: the caller needs an INSERT policy on storage.buckets). */
export async function insertBucket(tx: Tx, data: Row): Promise<void> {
  const row = defined(data);
  await tx`insert into storage.buckets ${tx(row, Object.keys(row))}`;
}

/** One bucket by id, as far as the transaction's role may see it. */
export async function findBucket(
  tx: Tx,
  id: string,
  opts: { forUpdate?: boolean } = {},
): Promise<(BucketRow & Row) | undefined> {
  const [row] = opts.forUpdate
    ? await tx`select * from storage.buckets where id = ${id} limit 1 for update`
    : await tx`select * from storage.buckets where id = ${id} limit 1`;
  return row as (BucketRow & Row) | undefined;
}

export interface ListBucketOptions {
  limit?: number;
  offset?: number;
  sortColumn?: 'id' | 'name' | 'created_at' | 'updated_at';
  sortOrder?: 'asc' | 'desc';
  search?: string;
}

/** The buckets the role may see; unordered unless asked, as Storage lists them. */
export async function listBuckets(tx: Tx, opts: ListBucketOptions): Promise<Row[]> {
  const like = opts.search ? `%${escapeLike(opts.search)}%` : undefined;
  const where = like ? tx`where name ilike ${like}` : tx``;
  const dir = opts.sortOrder === 'desc' ? tx`desc` : tx`asc`;
  const order = opts.sortColumn ? tx`order by ${tx(opts.sortColumn)} ${dir}` : tx``;
  const limit = opts.limit !== undefined ? tx`limit ${opts.limit}` : tx``;
  const offset = opts.offset !== undefined ? tx`offset ${opts.offset}` : tx``;
  return tx`
    select id, name, public, owner, created_at, updated_at, file_size_limit,
           allowed_mime_types, type
      from storage.buckets ${where} ${order} ${limit} ${offset}`;
}

/** Updates the given columns; the number of rows the role could update (0 or 1). */
export async function updateBucket(tx: Tx, id: string, data: Row): Promise<number> {
  const row = defined(data);
  const result = await tx`
    update storage.buckets set ${tx(row, Object.keys(row))} where id = ${id}`;
  return result.count;
}

export async function deleteBucket(tx: Tx, id: string): Promise<number> {
  return (await tx`delete from storage.buckets where id = ${id}`).count;
}

/** Whether the bucket holds any object at all (looked at by Storage itself, past RLS). */
export async function bucketHasObjects(tx: Tx, id: string): Promise<boolean> {
  const rows = await tx`select 1 from storage.objects where bucket_id = ${id} limit 1`;
  return rows.length > 0;
}

export const escapeLike = (s: string) => s.replace(/\\/g, '\\\\').replace(/([%_])/g, '\\$1');
