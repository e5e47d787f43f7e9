import postgres from 'postgres';
import type { Pool } from '../../shared/db/client.ts';

/** One node of a plan as `EXPLAIN (ANALYZE, VERBOSE, FORMAT JSON)` writes it. */
export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Schema?: string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  Plans?: PlanNode[];
}

/** The plan of one statement that ran, nested ones (inside functions and policies) included. */
export interface RanPlan {
  query: string;
  plan: PlanNode;
}

/**
 * A one-connection pool on which PostgreSQL's own auto_explain reports the executed plan of
 * every statement, nested ones included, back to the client as a NOTICE. Queries run exactly
 * as the application builds and sends them, through the same doors, so what is checked is
 * the real plan, not a copy of the SQL that could drift.
 *
 * @example
 * const rec = planRecorder(db.url);
 * const { plans } = await rec.record((pool) => asUser(pool, claims, (tx) => listUsers(tx, opts)));
 */
export function planRecorder(url: string) {
  let notices: string[] = [];
  const pool = postgres(url, {
    max: 1,
    prepare: false,
    // Startup parameters, so they hold for the whole session whatever role a door sets.
    // Strings: postgres.js leaves out parameters whose value is falsy (0, false).
    connection: {
      session_preload_libraries: 'auto_explain',
      'auto_explain.log_min_duration': '0',
      'auto_explain.log_analyze': 'on',
      'auto_explain.log_timing': 'off',
      'auto_explain.log_verbose': 'on',
      'auto_explain.log_nested_statements': 'on',
      'auto_explain.log_format': 'json',
      'auto_explain.log_level': 'notice',
    },
    onnotice: (n) => notices.push(String(n.message)),
  }) as unknown as Pool;

  return {
    pool,
    /** Runs `fn` and returns its result with the plans of every statement it executed. */
    async record<T>(fn: (pool: Pool) => Promise<T>): Promise<{ result: T; plans: RanPlan[] }> {
      notices = [];
      const result = await fn(pool);
      const plans = notices
        .filter((m) => m.includes('plan:'))
        .map((m) => {
          const json = JSON.parse(m.slice(m.indexOf('{'))) as {
            'Query Text': string;
            Plan: PlanNode;
          };
          return { query: json['Query Text'], plan: json.Plan };
        });
      return { result, plans };
    },
    end: () => pool.end(),
  };
}

function* nodes(node: PlanNode): Generator<PlanNode> {
  yield node;
  for (const child of node.Plans ?? []) yield* nodes(child);
}

const relation = (n: PlanNode) => `${n.Schema ?? '?'}.${n['Relation Name']}`;

/** Rows a node handled over all its loops: those it returned and those it read and threw away. */
function rowsHandled(n: PlanNode): number {
  const perLoop =
    (n['Actual Rows'] ?? 0) +
    (n['Rows Removed by Filter'] ?? 0) +
    (n['Rows Removed by Index Recheck'] ?? 0);
  return perLoop * (n['Actual Loops'] ?? 1);
}

/**
 * What makes a page cost as much as a table: a sequential scan of a relation holding at least
 * `large` rows (per `sizes`), or any node that returned or discarded `large` rows or more.
 * Returns one line per finding, empty when every plan reads about what it returns.
 */
export function planProblems(
  plans: RanPlan[],
  sizes: Map<string, number>,
  large: number,
): string[] {
  const found: string[] = [];
  for (const { query, plan } of plans) {
    const where = query.replace(/\s+/g, ' ').trim().slice(0, 90);
    for (const n of nodes(plan)) {
      const size = sizes.get(relation(n)) ?? 0;
      if (n['Node Type'] === 'Seq Scan' && size >= large) {
        found.push(`Seq Scan on ${relation(n)} (${size} rows) in: ${where}`);
      } else if (rowsHandled(n) >= large) {
        const on = n['Relation Name'] ? ` on ${relation(n)}` : '';
        const using = n['Index Name'] ? ` using ${n['Index Name']}` : '';
        found.push(`${n['Node Type']}${on}${using} handled ${rowsHandled(n)} rows in: ${where}`);
      }
    }
  }
  return found;
}

/** Every index any of the plans read. */
export function indexesUsed(plans: RanPlan[]): string[] {
  const names = new Set<string>();
  for (const { plan } of plans) {
    for (const n of nodes(plan)) if (n['Index Name']) names.add(n['Index Name']);
  }
  return [...names].sort();
}
