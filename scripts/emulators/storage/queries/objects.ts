import type postgres from 'postgres';
import type { Tx } from '../../../../shared/db/client.ts';
import { isUuid } from '../rules.ts';
import type { Values } from './buckets.ts';

type Row = Record<string, unknown>;

export interface ObjectRow extends Row {
  id: string;
  bucket_id: string;
  name: string;
  version: string | null;
  metadata: Record<string, unknown> | null;
  user_metadata: Record<string, unknown> | null;
}

/** What a write records about an object; `owner` is the writer's JWT `sub`. */
export interface ObjectWrite {
  bucket_id: string;
  name: string;
  version: string;
  owner?: string;
  metadata?: Record<string, unknown>;
  user_metadata?: Record<string, unknown>;
}

// `owner` is a uuid column; Storage keeps any subject in `owner_id`, and leaves both as
// they are when the writer has none (service role, anonymous).
function columns(tx: Tx, w: Partial<ObjectWrite>): Values {
  const row: Row = {
    bucket_id: w.bucket_id,
    name: w.name,
    version: w.version,
    owner: isUuid(w.owner) ? w.owner : undefined,
    owner_id: w.owner,
    metadata: w.metadata === undefined ? undefined : tx.json(w.metadata as postgres.JSONValue),
    user_metadata:
      w.user_metadata === undefined ? undefined : tx.json(w.user_metadata as postgres.JSONValue),
  };
  return Object.fromEntries(Object.entries(row).filter(([, v]) => v !== undefined)) as Values;
}

export async function findObject(
  tx: Tx,
  bucket: string,
  name: string,
  opts: { forUpdate?: boolean } = {},
): Promise<ObjectRow | undefined> {
  const [row] = opts.forUpdate
    ? await tx`select * from storage.objects
                where name = ${name} and bucket_id = ${bucket} limit 1 for update`
    : await tx`select * from storage.objects
                where name = ${name} and bucket_id = ${bucket} limit 1`;
  return row as ObjectRow | undefined;
}

export async function findObjectNames(tx: Tx, bucket: string, names: string[]) {
  const rows = await tx`select name from storage.objects
                         where bucket_id = ${bucket} and name = any(${names}::text[])`;
  return new Set(rows.map((r) => r.name as string));
}

/** A plain insert, as Storage tests an upload that must not overwrite (no RETURNING). */
export async function insertObject(tx: Tx, w: ObjectWrite): Promise<void> {
  const row = columns(tx, w);
  await tx`insert into storage.objects ${tx(row, Object.keys(row))}`;
}

/**
 * Insert or overwrite by (bucket, name). With RETURNING, as Storage writes it: under RLS an
 * overwrite needs SELECT and UPDATE policies as well as INSERT.
 */
export async function upsertObject(tx: Tx, w: ObjectWrite): Promise<ObjectRow> {
  const row = columns(tx, w);
  // The overwritten columns are exactly the given ones (names from `columns`, not input).
  const set = Object.keys(row)
    .filter((k) => k !== 'bucket_id' && k !== 'name')
    .map((k) => `"${k}" = excluded."${k}"`)
    .join(', ');
  const [saved] = await tx`
    insert into storage.objects ${tx(row, Object.keys(row))}
    on conflict (name, bucket_id) do update set ${tx.unsafe(set)}
    returning *`;
  return saved as ObjectRow;
}

/** Renames/re-versions an object; undefined when the role may not (or there is none). */
export async function updateObject(
  tx: Tx,
  bucket: string,
  name: string,
  w: Partial<ObjectWrite>,
): Promise<ObjectRow | undefined> {
  const row = columns(tx, w);
  const [saved] = await tx`
    update storage.objects set ${tx(row, Object.keys(row))}
     where bucket_id = ${bucket} and name = ${name}
    returning *`;
  return saved as ObjectRow | undefined;
}

export async function deleteObjects(tx: Tx, bucket: string, names: string[]) {
  const rows = await tx`delete from storage.objects
                         where bucket_id = ${bucket} and name = any(${names}::text[])
                        returning *`;
  return rows as unknown as ObjectRow[];
}

export async function deleteAllObjects(tx: Tx, bucket: string) {
  const rows = await tx`delete from storage.objects where bucket_id = ${bucket}
                        returning version`;
  return rows.map((r) => r.version as string | null);
}

/**
 * Serializes writers of one object for the rest of the transaction, as Storage does with
 * an advisory lock on "<bucket>/<name>".
 */
export async function lockObject(tx: Tx, bucket: string, name: string): Promise<void> {
  await tx`select pg_advisory_xact_lock(hashtext(${`${bucket}/${name}`}))`;
}
