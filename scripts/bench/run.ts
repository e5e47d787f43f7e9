import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from '../../shared/config.ts';
import { localEnvSchema } from '../local/env.ts';
import { DEMO_ANON_KEY } from '../local/keys.ts';
import { freePort } from '../local/ports.ts';
import { startLocalStack } from '../local/stack.ts';

// `npm run bench`: request costs through the whole local stack (gateway, function, Auth,
// PostgreSQL), each reported as a ratio to the cheapest request measured in the same run,
// so the numbers compare across noisy machines. Timings are never asserted anywhere.

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 300);

async function measure(name: string, request: () => Promise<Response>): Promise<[string, number]> {
  for (let i = 0; i < 20; i++) await (await request()).arrayBuffer();
  const started = performance.now();
  for (let i = 0; i < ROUNDS; i++) {
    const res = await request();
    await res.arrayBuffer();
    if (res.status >= 400) throw new Error(`${name}: HTTP ${res.status}`);
  }
  return [name, (performance.now() - started) / ROUNDS];
}

const dataDir = await mkdtemp(join(tmpdir(), 'bench-'));
// PostgreSQL runs as its own user when we are root; it must be able to enter the folder.
await chmod(dataDir, 0o755);
const env = parseEnv(localEnvSchema, {
  GATEWAY_PORT: String(await freePort()),
  DB_PORT: String(await freePort()),
  LOCAL_DATA_DIR: dataDir,
  LOG_LEVEL: 'silent',
});
const stack = await startLocalStack(env);
try {
  const base = `${stack.gatewayUrl}/functions/v1`;
  const headers = { apikey: DEMO_ANON_KEY, 'content-type': 'application/json' };
  const email = `bench-${Date.now()}@example.com`;
  const reg = await fetch(`${base}/auth/register`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ email, password: 'bench-password-1' }),
  });
  if (reg.status !== 201) throw new Error(`register: ${reg.status}`);
  await stack.auth.deps.db`update auth.users set email_confirmed_at = now() where email = ${email}`;
  const login = await fetch(`${base}/auth/login`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ email, password: 'bench-password-1' }),
  });
  const { access_token: token } = (await login.json()) as { access_token: string };
  const authed = { ...headers, authorization: `Bearer ${token}` };

  const results = [
    await measure('GET auth/health (baseline: gateway + middleware)', () =>
      fetch(`${base}/auth/health`),
    ),
    await measure('GET api/users/me (JWT verify + session check + RLS query)', () =>
      fetch(`${base}/api/users/me`, { headers: authed }),
    ),
    await measure('GET api/sessions (list convention over RLS)', () =>
      fetch(`${base}/api/sessions`, { headers: authed }),
    ),
  ];
  const baseline = results[0]?.[1] ?? 1;
  console.log(`\n${ROUNDS} sequential requests each, after 20 warm-up requests\n`);
  for (const [name, ms] of results) {
    console.log(
      `${name.padEnd(62)} ${ms.toFixed(3).padStart(8)} ms   ×${(ms / baseline).toFixed(2)}`,
    );
  }
} finally {
  await stack.stop();
  await rm(dataDir, { recursive: true, force: true });
}
