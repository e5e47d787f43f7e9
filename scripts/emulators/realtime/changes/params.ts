/**
 * The `postgres_changes` entry of a join: `{event, schema, table, filter, select}` parsed the
 * way Realtime parses it (`col=op.value`, comma-separated ANDs, `not.` negation, `in.(a,b)`,
 * PostgREST-style double quotes), with Realtime's error messages.
 */
export const FILTER_OPS = [
  'eq',
  'neq',
  'lt',
  'lte',
  'gt',
  'gte',
  'in',
  'like',
  'ilike',
  'is',
  'match',
  'imatch',
  'isdistinct',
] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

export interface Filter {
  column: string;
  op: FilterOp;
  /** For `in`, a PostgreSQL array literal: `{a,b}`. */
  value: string;
  negate: boolean;
}

export interface SubscriptionParams {
  action: '*' | 'INSERT' | 'UPDATE' | 'DELETE';
  schema: string;
  table: string;
  filters: Filter[];
  select: string[] | null;
}

type Parsed = { ok: true; params: SubscriptionParams } | { ok: false; message: string };

const isStr = (v: unknown): v is string => typeof v === 'string';

function action(event: unknown): SubscriptionParams['action'] {
  const e = isStr(event) ? event.toUpperCase() : '*';
  return e === 'INSERT' || e === 'UPDATE' || e === 'DELETE' ? e : '*';
}

/** Splits on commas outside parentheses and double quotes. */
function splitTopLevel(filter: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (let i = 0; i < filter.length; i++) {
    const c = filter[i] as string;
    if (quoted) {
      if (c === '\\' && i + 1 < filter.length) current += c + filter[++i];
      else {
        if (c === '"') quoted = false;
        current += c;
      }
    } else if (c === '"' && ['.', '(', ','].includes(filter[i - 1] ?? '')) {
      quoted = true;
      current += c;
    } else if (c === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      if (c === '(') depth += 1;
      if (c === ')') depth = Math.max(0, depth - 1);
      current += c;
    }
  }
  parts.push(current);
  return parts;
}

function unquote(value: string): string {
  if (!value.startsWith('"') || !value.endsWith('"') || value.length < 2) return value;
  return value.slice(1, -1).replace(/\\(.)/g, '$1');
}

function parseSegment(segment: string): Filter | string {
  const trimmed = segment.trim();
  if (!trimmed) return 'filter must not contain empty segments (check for extra commas)';
  const eq = trimmed.indexOf('=');
  if (eq < 0) return JSON.stringify([trimmed]).replace(/,/g, ', ');
  const column = trimmed.slice(0, eq);
  let rest = trimmed.slice(eq + 1);
  const negate = rest.startsWith('not.');
  if (negate) rest = rest.slice(4);
  const dot = rest.indexOf('.');
  if (dot < 0) return JSON.stringify([column, rest]).replace(/","/g, '", "');
  const op = rest.slice(0, dot);
  const value = rest.slice(dot + 1);
  if (!(FILTER_OPS as readonly string[]).includes(op)) {
    return JSON.stringify([op, value]).replace(/","/g, '", "');
  }
  if (op === 'in') {
    if (!(value.length >= 2 && value.startsWith('(') && value.endsWith(')'))) {
      return '`in` filter value must be wrapped by parentheses';
    }
    return { column, op, value: `{${value.slice(1, -1)}}`, negate };
  }
  return { column, op: op as FilterOp, value: unquote(value), negate };
}

/** Parses one `postgres_changes` entry, or says why not as Realtime does. */
export function parseSubscriptionParams(raw: Record<string, unknown>): Parsed {
  let select: string[] | null = null;
  if (Array.isArray(raw.select)) {
    const cols = raw.select.filter(isStr);
    select = cols.length ? cols : null;
  } else if (isStr(raw.select)) {
    return {
      ok: false,
      message:
        'Error parsing `select` params: expected a list of column name strings, e.g. select: ["col1", "col2"]',
    };
  }
  const has = (k: string) => raw[k] !== undefined && raw[k] !== null;
  let schema: string;
  let table: string;
  let filters: Filter[] = [];
  if (isStr(raw.schema) && isStr(raw.table) && isStr(raw.filter)) {
    [schema, table] = [raw.schema, raw.table];
    if (raw.filter.trim()) {
      for (const segment of splitTopLevel(raw.filter.trim())) {
        const parsed = parseSegment(segment);
        if (typeof parsed === 'string') {
          return { ok: false, message: `Error parsing \`filter\` params: ${parsed}` };
        }
        filters.push(parsed);
      }
    }
  } else if (isStr(raw.schema) && isStr(raw.table) && !has('filter')) {
    [schema, table] = [raw.schema, raw.table];
  } else if (isStr(raw.schema) && !has('table') && !has('filter')) {
    [schema, table] = [raw.schema, '*'];
  } else if (isStr(raw.table) && !has('schema') && !has('filter')) {
    [schema, table] = ['public', raw.table];
  } else {
    return {
      ok: false,
      message:
        'No subscription params provided. Please provide at least a `schema` or `table` to subscribe to',
    };
  }
  if (select && (schema === '*' || table === '*')) {
    return {
      ok: false,
      message:
        'Column selection is not supported for wildcard subscriptions. Provide an explicit schema and table name.',
    };
  }
  filters = filters.filter(Boolean);
  return { ok: true, params: { action: action(raw.event), schema, table, filters, select } };
}

/** The parameters as Realtime writes them into its error messages. */
export function describeParams(p: SubscriptionParams): string {
  const filters = `[${p.filters
    .map(
      (f) =>
        `{${JSON.stringify(f.column)}, ${JSON.stringify(f.op)}, ${JSON.stringify(f.value)}, ${f.negate}}`,
    )
    .join(', ')}]`;
  const select = p.select ? JSON.stringify(p.select) : 'nil';
  return `event: ${p.action}, schema: ${p.schema}, table: ${p.table}, filters: ${filters}, select: ${select}`;
}
