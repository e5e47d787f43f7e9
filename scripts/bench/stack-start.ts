import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from '../../shared/config.ts';
import { createDb } from '../../shared/db/client.ts';
import { startEmbeddedPostgres } from '../db/embedded.ts';
import { localEnvSchema } from '../local/env.ts';
import { freePort } from '../local/ports.ts';
import { startLocalStack } from '../local/stack.ts';
import { type BenchRow, row } from './report.ts';

const ROUNDS = Number(process.env.BENCH_START_ROUNDS ?? 2);

async function scratch(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-start-'));
  // PostgreSQL runs as its own user when we are root; it must be able to enter the folder.
  await chmod(dir, 0o755);
  return dir;
}

/** Until `url` answers 200. */
async function healthy(url: string): Promise<void> {
  for (;;) {
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A fresh cluster (initdb included) to its first answered query, in ms. */
async function postgresAlone(): Promise<number> {
  const dir = await scratch();
  const started = performance.now();
  const pg = await startEmbeddedPostgres({
    dataDir: join(dir, 'postgres'),
    port: await freePort(),
    persistent: false,
  });
  try {
    const db = createDb(pg.url, { max: 1, name: 'bench-start' });
    await db`select 1`;
    const ms = performance.now() - started;
    await db.end();
    return ms;
  } finally {
    await pg.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * `npm run dev` from nothing: a fresh cluster, the bootstrap, every migration and the seed,
 * the emulators, the functions behind the gateway and the worker, to the first 200 from a
 * function's `/health`, in ms.
 */
async function stackCold(): Promise<number> {
  const dir = await scratch();
  const env = parseEnv(localEnvSchema, {
    GATEWAY_PORT: String(await freePort()),
    DB_PORT: String(await freePort()),
    WORKER_PORT: String(await freePort()),
    LOCAL_DATA_DIR: dir,
    LOG_LEVEL: 'silent',
  });
  const started = performance.now();
  const stack = await startLocalStack(env, () => {}, { worker: true });
  try {
    await healthy(`${stack.gatewayUrl}/functions/v1/api/health`);
    return performance.now() - started;
  } finally {
    await stack.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/**
 * Cold start of the local stack against its floor, the time PostgreSQL alone takes to start
 * from nothing: what the stack adds on top (migrations, emulators, functions, worker). Run
 * before anything else, on a quiet machine; each start alternates with the other.
 */
export async function stackStartFigure(): Promise<BenchRow[]> {
  const alone: number[] = [];
  const stack: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    alone.push(await postgresAlone());
    stack.push(await stackCold());
  }
  return [
    row({
      name: 'local stack cold start to first healthy answer vs PostgreSQL alone',
      value: median(stack),
      unit: 'ms',
      baseline: median(alone),
      better: 'lower',
      extra: { rounds: ROUNDS },
    }),
  ];
}
