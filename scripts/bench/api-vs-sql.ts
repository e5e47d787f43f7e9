import { join } from 'node:path';
import type { LocalStack } from '../local/stack.ts';
import { httpLoad, pgbench } from './load.ts';
import { type BenchRow, row } from './report.ts';
import { benchUser } from './session.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = 50;
/** The functions' pool size; the raw SQL baseline gets as many connections. */
const POOL = Number(process.env.DB_POOL_SIZE ?? 5);

/** The identity the API sets in every user transaction, as a pgbench line. */
const identity = (claims: Record<string, unknown>) =>
  `select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $c$${JSON.stringify(claims)}$c$, true);`;

const PROJECT_COLUMNS = `p.id, p.owner_id, p.name, p.description, p.settings, me.role, p.created_at, p.updated_at`;

/**
 * Requests per second through the whole stack (gateway, function, JWT, RLS) with 50
 * concurrent connections, against the same SQL transactions run by pgbench over the pool's
 * number of connections, in the same run: the share of the database's rate the API reaches.
 */
export async function apiVersusSql(stack: LocalStack, scratch: string): Promise<BenchRow[]> {
  const base = `${stack.gatewayUrl}/functions/v1/api`;
  const user = await benchUser(stack, 'bench-load');
  let projectId = '';
  for (let i = 0; i < 20; i++) {
    const res = await fetch(`${base}/projects`, {
      method: 'POST',
      headers: user.headers,
      body: JSON.stringify({ name: `Bench project ${i}` }),
    });
    if (res.status !== 201) throw new Error(`create project: ${res.status}`);
    projectId = ((await res.json()) as { id: string }).id;
  }
  const me = `(select auth.uid())`;
  const cases = [
    {
      name: 'GET api/projects?limit=20',
      load: { url: `${base}/projects?limit=20` },
      sql: `select ${PROJECT_COLUMNS}, to_char(p.updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
              from public.projects p join public.project_members me
                on me.project_id = p.id and me.user_id = ${me}
             order by p.updated_at desc, p.id desc limit 21;`,
      goal: '≥ 0.50',
    },
    {
      name: 'GET api/projects/{id}',
      load: { url: `${base}/projects/${projectId}` },
      sql: `select ${PROJECT_COLUMNS} from public.projects p left join public.project_members me
                on me.project_id = p.id and me.user_id = ${me} where p.id = '${projectId}';`,
    },
    {
      name: 'POST api/projects/{id}/messages',
      load: {
        url: `${base}/projects/${projectId}/messages`,
        method: 'POST' as const,
        body: JSON.stringify({ content: 'hello from the benchmark', kind: 'text' }),
      },
      sql: `insert into public.project_messages (project_id, author_id, author_kind, kind, content)
            values ('${projectId}', ${me}, 'user', 'text', 'hello from the benchmark') returning *;`,
    },
  ];

  const rows: BenchRow[] = [];
  for (const [i, c] of cases.entries()) {
    const script = ['begin;', identity(user.claims), c.sql.replace(/\s+/g, ' '), 'commit;'].join(
      '\n',
    );
    console.log(`  ${c.name}: raw SQL…`);
    const tps = await pgbench(stack.dbUrl, script, {
      clients: POOL,
      seconds: SECONDS,
      scriptFile: join(scratch, `bench-${i}.sql`),
    });
    console.log(`  ${c.name}: API…`);
    // A short warm-up, so JIT and caches are hot before the measured run.
    await httpLoad({ ...c.load, headers: user.headers, connections: CONNECTIONS, seconds: 2 });
    const api = await httpLoad({
      ...c.load,
      headers: user.headers,
      connections: CONNECTIONS,
      seconds: SECONDS,
    });
    rows.push(
      row({
        name: `${c.name} (${CONNECTIONS} conns) vs raw SQL`,
        value: api.rps,
        unit: 'req/s',
        baseline: tps,
        better: 'higher',
        goal: c.goal,
        extra: { p50_ms: api.p50, p99_ms: api.p99 },
      }),
    );
  }
  return rows;
}
