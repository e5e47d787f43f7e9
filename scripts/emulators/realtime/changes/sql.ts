import type { Sql } from '../../../../shared/db/client.ts';
import type { Filter } from './params.ts';

/** A table column as Postgres Changes describes it. */
export interface Column {
  name: string;
  /** The type as SQL spells it (`integer`, `timestamp with time zone`): for casts. */
  sqlType: string;
  /** The type's name (`int4`, `timestamptz`, `_text`): what clients see in `columns`. */
  typname: string;
  pk: boolean;
}

/** Column values as text, by name; null for SQL NULL. */
export type Values = Map<string, string | null>;

export const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** The table's columns in order, with primary key membership, from the catalog. */
export async function tableColumns(db: Sql, oid: number): Promise<Column[]> {
  const rows = await db`
    select a.attname as name, format_type(a.atttypid, null) as sql_type, t.typname,
           coalesce(a.attnum = any(i.indkey), false) as pk
      from pg_attribute a
      join pg_type t on t.oid = a.atttypid
      left join pg_index i on i.indrelid = a.attrelid and i.indisprimary
     where a.attrelid = ${oid} and a.attnum > 0 and not a.attisdropped
     order by a.attnum`;
  return rows.map((r) => ({
    name: r.name as string,
    sqlType: r.sql_type as string,
    typname: r.typname as string,
    pk: r.pk as boolean,
  }));
}

/**
 * Each value as JSON of its own type (`to_jsonb(value::type)`), as Realtime casts WAL values:
 * numbers stay numbers, json stays json, bytea stays its text form.
 */
export async function castToJson(
  db: Sql,
  columns: Map<string, Column>,
  values: Values,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const names: string[] = [];
  const params: string[] = [];
  const exprs: string[] = [];
  for (const [name, value] of values) {
    const col = columns.get(name);
    if (value === null || !col) {
      out[name] = value === null ? null : value;
      continue;
    }
    names.push(name);
    params.push(value);
    const n = params.length;
    exprs.push(
      col.sqlType === 'bytea' ? `to_jsonb($${n}::text)` : `to_jsonb($${n}::text::${col.sqlType})`,
    );
  }
  if (exprs.length === 0) return out;
  const [row] = await db.unsafe(`select jsonb_build_array(${exprs.join(', ')}) as v`, params);
  const cast = (row?.v ?? []) as unknown[];
  names.forEach((name, i) => {
    out[name] = cast[i];
  });
  return out;
}

/** One filter as a boolean SQL expression over two text parameters. */
function condition(f: Filter, type: string, a: string, b: string): string {
  const left = `${a}::text::${type}`;
  const right = `${b}::text::${type}`;
  const ops: Record<string, string> = {
    eq: '=',
    neq: '!=',
    lt: '<',
    lte: '<=',
    gt: '>',
    gte: '>=',
  };
  const simple: Record<string, string> = { like: 'like', ilike: 'ilike', match: '~', imatch: '~*' };
  let e: string;
  if (ops[f.op]) e = `${left} ${ops[f.op]} ${right}`;
  else if (simple[f.op]) e = `${left} ${simple[f.op]} ${right}`;
  else if (f.op === 'in') e = `${left} = any(${b}::text::${type}[])`;
  else if (f.op === 'is') {
    // The keyword was checked at subscription (null, true, false, unknown).
    return `${left} is ${f.negate ? 'not ' : ''}${f.value.toUpperCase()}`;
  } else {
    return `${left} is ${f.negate ? 'not ' : ''}distinct from ${right}`;
  }
  return f.negate ? `not (${e})` : e;
}

/**
 * Which filter lists pass for `values`: every filter's column must be present and every
 * condition true, as Realtime's `is_visible_through_filters` decides.
 */
export async function passFilters(
  db: Sql,
  columns: Map<string, Column>,
  values: Values,
  lists: Filter[][],
): Promise<boolean[]> {
  const result = lists.map(() => true);
  const params: Array<string | null> = [];
  const exprs: string[] = [];
  const owners: number[] = [];
  lists.forEach((filters, i) => {
    for (const f of filters) {
      const col = columns.get(f.column);
      if (!col || !values.has(f.column)) {
        result[i] = false;
        return;
      }
    }
    for (const f of filters) {
      const col = columns.get(f.column) as Column;
      params.push(values.get(f.column) ?? null, f.value);
      const n = params.length;
      exprs.push(`coalesce(${condition(f, col.sqlType, `$${n - 1}`, `$${n}`)}, false)`);
      owners.push(i);
    }
  });
  if (exprs.length === 0) return result;
  try {
    const [row] = await db.unsafe(`select array[${exprs.join(', ')}]::boolean[] as r`, params);
    ((row?.r ?? []) as boolean[]).forEach((ok, k) => {
      const owner = owners[k] as number;
      if (!ok) result[owner] = false;
    });
  } catch {
    // A value the filter cannot compare: nobody matches, as when Realtime's check errors.
    return lists.map(() => false);
  }
  return result;
}
