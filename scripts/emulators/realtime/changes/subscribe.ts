import type { Sql } from '../../../../shared/db/client.ts';
import { describeParams, type SubscriptionParams } from './params.ts';

/** A table a subscription listens to: one of `supabase_realtime`'s tables. */
export interface Entity {
  oid: number;
  schema: string;
  table: string;
}

export type Resolved = { ok: true; entities: Entity[] } | { ok: false; message: string };

const CONDITIONS: Record<string, string> = {
  P0001: 'raise_exception',
  '22P02': 'invalid_text_representation',
  '22007': 'invalid_datetime_format',
  '22008': 'datetime_field_overflow',
  '22003': 'numeric_value_out_of_range',
  '22023': 'invalid_parameter_value',
  '2201B': 'invalid_regular_expression',
  '42704': 'undefined_object',
};

/** Thrown by a check below; carries the SQLSTATE Realtime's message names. */
class Rejected extends Error {
  readonly code: string;

  constructor(message: string, code = 'P0001') {
    super(message);
    this.code = code;
  }
}

const pgMessage = (err: Rejected | { code?: string; message: string }) => {
  const code = err.code ?? 'XX000';
  return `ERROR ${code} (${CONDITIONS[code] ?? 'internal_error'}) ${err.message}`;
};

/**
 * Which published tables a `postgres_changes` entry covers, with its filters and selected
 * columns checked against each table as Realtime's subscription trigger checks them (the
 * column exists and the caller's role may select it; the value fits the column's type).
 */
export async function resolveSubscription(
  db: Sql,
  params: SubscriptionParams,
  role: string,
): Promise<Resolved> {
  const like = (v: string) => (v === '*' ? '%' : v);
  const entities = (await db`
    select c.oid::int as oid, pt.schemaname as schema, pt.tablename as table
      from pg_publication_tables pt
      join pg_namespace n on n.nspname = pt.schemaname
      join pg_class c on c.relnamespace = n.oid and c.relname = pt.tablename
     where pt.pubname = 'supabase_realtime'
       and pt.schemaname like ${like(params.schema)} escape ''
       and pt.tablename like ${like(params.table)} escape ''
     order by 1`) as unknown as Entity[];
  if (entities.length === 0) {
    return {
      ok: false,
      message: `Unable to subscribe to changes with given parameters. Please check Realtime is enabled for the given connect parameters: [${describeParams(params)}]`,
    };
  }
  try {
    for (const entity of entities) await check(db, entity, params, role);
  } catch (err) {
    return {
      ok: false,
      message: `Unable to subscribe to changes with given parameters. An exception happened so please check your connect parameters: [${describeParams(params)}]. Exception: ${pgMessage(err as Rejected)}`,
    };
  }
  return { ok: true, entities };
}

async function check(db: Sql, entity: Entity, params: SubscriptionParams, role: string) {
  const columns = await db`
    select a.attname as name, format_type(a.atttypid, null) as type
      from pg_attribute a
     where a.attrelid = ${entity.oid} and a.attnum > 0 and not a.attisdropped
       and has_column_privilege(${role}, a.attrelid, a.attnum, 'SELECT')`;
  const types = new Map(columns.map((c) => [c.name as string, c.type as string]));
  for (const f of params.filters) {
    const type = types.get(f.column);
    if (!type) throw new Rejected(`invalid column for filter ${f.column}`);
    if (f.op === 'is') {
      if (!['null', 'true', 'false', 'unknown'].includes(f.value)) {
        throw new Rejected('invalid value for is filter: must be null, true, false, or unknown');
      }
      if (f.value !== 'null' && type !== 'boolean') {
        throw new Rejected(`is ${f.value} filter requires a boolean column, got ${type}`);
      }
      continue;
    }
    if (f.op === 'match' || f.op === 'imatch') {
      await db`select '' ~ ${f.value}`.catch((err: { message: string }) => {
        throw new Rejected(`invalid regular expression for ${f.op} filter: ${err.message}`);
      });
    }
    const target = f.op === 'in' ? `${type}[]` : type;
    const [info] = await db`
      select message, sql_error_code as code from pg_input_error_info(${f.value}, ${target})`;
    if (info?.message) throw new Rejected(info.message as string, info.code as string);
    if (f.op === 'in') {
      const [n] = await db.unsafe(`select cardinality($1::text::${target}) as n`, [f.value]);
      if (Number(n?.n ?? 0) > 100)
        throw new Rejected('too many values for `in` filter. Maximum 100');
    }
  }
  for (const col of params.select ?? []) {
    if (!types.has(col)) throw new Rejected(`invalid column for select ${col}`);
  }
}
