import { randomBytes } from 'node:crypto';
import { DEMO_ANON_KEY } from '../local/keys.ts';
import type { LocalStack } from '../local/stack.ts';
import { type BenchRow, row } from './report.ts';
import { benchUser } from './session.ts';

const ROUNDS = Number(process.env.BENCH_REGISTER_ROUNDS ?? 60);

/**
 * Registering an address that has an account must not be told apart from a new one, by its
 * answer or by its time (issue 8: "in a similar time"). New and existing addresses alternate,
 * so drift in the machine's speed touches both alike; the figure is the median of each.
 */
export async function registrationTiming(stack: LocalStack): Promise<BenchRow[]> {
  const existing = await benchUser(stack, 'bench-register');
  const url = `${stack.gatewayUrl}/functions/v1/auth/register`;
  const register = async (email: string) => {
    const started = performance.now();
    const res = await fetch(url, {
      method: 'POST',
      headers: { apikey: DEMO_ANON_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: existing.password }),
    });
    const body = await res.text();
    if (res.status !== 201) throw new Error(`register: ${res.status} ${body}`);
    return performance.now() - started;
  };
  const fresh = () => `bench-new-${randomBytes(6).toString('hex')}@example.com`;
  for (let i = 0; i < 5; i++) await register(fresh());
  const times = { fresh: [] as number[], known: [] as number[] };
  for (let i = 0; i < ROUNDS; i++) {
    times.fresh.push(await register(fresh()));
    times.known.push(await register(existing.email));
  }
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? NaN;
  return [
    row({
      name: 'POST auth/register, existing address vs a new one (median)',
      value: median(times.known),
      unit: 'ms',
      baseline: median(times.fresh),
      // A ratio far from 1 either way tells who has an account; slower is the usual leak.
      better: 'lower',
      goal: '0.8–1.25 (similar time)',
      extra: { rounds: ROUNDS },
    }),
  ];
}
