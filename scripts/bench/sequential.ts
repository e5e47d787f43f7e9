import type { LocalStack } from '../local/stack.ts';
import { type BenchRow, row } from './report.ts';
import { benchAdmin, benchAppClient, benchUser } from './session.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 300);

async function measure(request: () => Promise<Response>): Promise<number> {
  for (let i = 0; i < 20; i++) await (await request()).arrayBuffer();
  const started = performance.now();
  for (let i = 0; i < ROUNDS; i++) {
    const res = await request();
    await res.arrayBuffer();
    if (res.status >= 400) throw new Error(`HTTP ${res.status}`);
  }
  return (performance.now() - started) / ROUNDS;
}

/** One request at a time: what a single request costs, against `GET /health`. */
export async function sequentialCosts(stack: LocalStack): Promise<BenchRow[]> {
  const base = `${stack.gatewayUrl}/functions/v1`;
  const { headers } = await benchUser(stack, 'bench-seq');
  const health = await measure(() => fetch(`${base}/auth/health`));
  const costs: Array<[string, string]> = [
    ['GET api/users/me, one at a time', '/api/users/me'],
    ['GET api/sessions, one at a time', '/api/sessions'],
  ];
  const rows = [
    row({ name: 'GET auth/health, one at a time', value: health, unit: 'ms', better: 'lower' }),
  ];
  for (const [name, path] of costs) {
    const ms = await measure(() => fetch(`${base}${path}`, { headers }));
    rows.push(row({ name, value: ms, unit: 'ms', baseline: health, better: 'lower' }));
  }
  // The same route for an admin and for an app client: what an app token costs over a
  // user's (its verification, liveness and grants come from caches, like a user's).
  const callers: Array<[string, Record<string, string>]> = [
    ['GET api/users?limit=1 as an admin, one at a time', await benchAdmin(stack)],
    ['GET api/users?limit=1 as an app client, one at a time', await benchAppClient(stack)],
  ];
  for (const [name, callerHeaders] of callers) {
    const ms = await measure(() => fetch(`${base}/api/users?limit=1`, { headers: callerHeaders }));
    rows.push(row({ name, value: ms, unit: 'ms', baseline: health, better: 'lower' }));
  }
  return rows;
}
