import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseEnv } from '../../shared/config.ts';
import { writeJson } from '../bench/report.ts';
import { benchUser } from '../bench/session.ts';
import { localEnvSchema } from '../local/env.ts';
import { freePort } from '../local/ports.ts';
import { type LocalStack, startLocalStack } from '../local/stack.ts';
import {
  type MemorySample,
  ownMemory,
  postgresTotal,
  postmasterPid,
  withLows,
  workerMemory,
} from './memory.ts';
import type { SoakUser, WorkloadSpec } from './mix.ts';
import { judge, printErrors, printSamples, type Tick, totals } from './table.ts';

// `npm run soak`: the local stack with its worker under a mixed workload at half of the peak
// measured by a short ramp at the start of the same run, for SOAK_SECONDS (default 60).
// Reports errors by operation and status, and memory over time (the stack's process, the
// worker, PostgreSQL), and judges the memory lines: the slope of a least-squares fit over the
// second half must stay within SOAK_MAX_SLOPE (MiB a minute). A benchmark, not a test: it
// exits non-zero when a line is flagged or a request failed, nothing else.
//   --out <file>   where to write the JSON (default .local/soak/latest.json)
const { values: args } = parseArgs({ options: { out: { type: 'string' } } });
const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const SAMPLE_S = Number(process.env.SOAK_SAMPLE_S ?? Math.max(1, Math.round(SECONDS / 60)));
const RAMP_STEP_S = Number(process.env.SOAK_RAMP_STEP_S ?? 4);
const MAX_SLOPE = Number(process.env.SOAK_MAX_SLOPE ?? 2);
const USERS = Number(process.env.SOAK_USERS ?? 24);
const WORKLOAD = fileURLToPath(new URL('./workload.ts', import.meta.url));

// Limits that would refuse one machine's worth of sign-ins are lifted: the soak is about
// whether the system holds up, and the limiters still run (and count) on every request.
for (const [k, v] of Object.entries({
  AUTH_RATE_LIMIT_PER_IP: '100000000',
  AUTH_RATE_LIMIT_PER_ACCOUNT: '100000000',
  GOTRUE_RATE_LIMIT_TOKEN_REFRESH: '100000000',
  GOTRUE_RATE_LIMIT_OTP: '100000000',
  GOTRUE_RATE_LIMIT_VERIFY: '100000000',
})) {
  process.env[k] ??= v;
}

/** Runs the workload process; `onTick` gets each second's line. Resolves at its end. */
function workload(spec: WorkloadSpec, onTick: (tick: Tick) => void): Promise<void> {
  // The spec goes in on stdin: it holds tokens and passwords, which argv would show to `ps`.
  const child = spawn(process.execPath, [WORKLOAD], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin.end(JSON.stringify(spec));
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      onTick(JSON.parse(line) as Tick);
    } catch {
      console.error(`workload: ${line}`);
    }
  });
  return new Promise((done, fail) =>
    child.once('exit', (code) =>
      code === 0 ? done() : fail(new Error(`workload exited ${code}`)),
    ),
  );
}

type Base = Omit<WorkloadSpec, 'mode' | 'seconds'>;

async function world(stack: LocalStack): Promise<SoakUser[]> {
  const users: SoakUser[] = [];
  for (let i = 0; i < USERS; i++) {
    const u = await benchUser(stack, `soak-${i}`);
    const projects: string[] = [];
    for (let p = 0; p < 2; p++) {
      const res = await fetch(`${stack.gatewayUrl}/functions/v1/api/projects`, {
        method: 'POST',
        headers: u.headers,
        body: JSON.stringify({ name: `Soak ${i}.${p}` }),
      });
      if (res.status !== 201) throw new Error(`create project: ${res.status}`);
      projects.push(((await res.json()) as { id: string }).id);
    }
    const { email, password, token, refreshToken } = u;
    users.push({ id: String(u.claims.sub), email, password, token, refreshToken, projects });
  }
  return users;
}

/**
 * Closed-loop steps of rising concurrency; the best rate of operations a second. Stops once
 * two steps in a row add nothing (past the knee, more at once only queues).
 */
async function ramp(base: Base): Promise<number> {
  let best = 0;
  let flat = 0;
  // More at once than there are users would only wait for a free user.
  const steps = [2, 4, 8, 16, 32].map((c) => Math.min(c, base.users.length));
  for (const concurrency of new Set(steps)) {
    const rates: number[] = [];
    await workload({ ...base, mode: 'closed', concurrency, seconds: RAMP_STEP_S }, (t) => {
      if (!t.done) rates.push(t.ops);
      else if (t.users) base.users = t.users;
    });
    // The first second warms up; the rest is the step's rate.
    const steady = rates.slice(1);
    const rate = steady.reduce((a, b) => a + b, 0) / Math.max(1, steady.length);
    console.log(`  ${String(concurrency).padStart(2)} at once: ${rate.toFixed(0)} operations/s`);
    flat = rate > best * 1.05 ? 0 : flat + 1;
    best = Math.max(best, rate);
    if (flat === 2) break;
  }
  return best;
}

const dataDir = await mkdtemp(join(tmpdir(), 'soak-'));
// PostgreSQL runs as its own user when we are root; it must be able to enter the folder.
await chmod(dataDir, 0o755);
const env = parseEnv(localEnvSchema, {
  GATEWAY_PORT: String(await freePort()),
  DB_PORT: String(await freePort()),
  WORKER_PORT: String(await freePort()),
  LOCAL_DATA_DIR: dataDir,
  LOG_LEVEL: 'silent',
});
console.log('Starting a throwaway local stack with its worker…');
const stack = await startLocalStack(env, () => {}, { worker: true });
let failed = false;
try {
  const [backend] = await stack.auth.deps.db<{ pid: number }[]>`select pg_backend_pid() as pid`;
  const postmaster = await postmasterPid(backend?.pid ?? 0);
  console.log(`Signing in ${USERS} users with two projects each…`);
  const base: Base = {
    gatewayUrl: stack.gatewayUrl,
    anonKey: env.ANON_KEY,
    users: await world(stack),
    webhook: { appSecret: env.WHATSAPP_APP_SECRET, phoneNumberId: '106540352242922' },
  };
  console.log('Measuring the peak with a short ramp…');
  const peak = await ramp(base);
  const rate = Math.max(1, Math.round(peak / 2));
  console.log(`Peak ${peak.toFixed(0)} operations/s; soaking at ${rate}/s for ${SECONDS} s…`);

  const samples: MemorySample[] = [];
  const ticks: Tick[] = [];
  let started = 0;
  const sample = async () => {
    const own = ownMemory();
    const worker = stack.worker ? await workerMemory(stack.worker.opsUrl) : undefined;
    const pg = postmaster ? await postgresTotal(postmaster) : undefined;
    samples.push({
      t: started ? (performance.now() - started) / 1000 : 0,
      stackRss: own.rss,
      stackHeap: own.heap,
      workerRss: worker?.rss,
      workerHeap: worker?.heap,
      postgres: pg?.pss,
      postgresOwn: pg?.own,
    });
  };
  await sample();
  started = performance.now();
  const sampler = setInterval(() => void sample(), SAMPLE_S * 1000);
  try {
    await workload({ ...base, mode: 'open', rate, seconds: SECONDS }, (t) => ticks.push(t));
  } finally {
    clearInterval(sampler);
  }
  await sample();

  const measured = withLows(samples);
  printSamples(measured, ticks, SAMPLE_S);
  const ops = totals(ticks);
  const errors = printErrors(ops);
  const verdict = judge(measured, MAX_SLOPE);
  const answered = Object.values(ops).reduce(
    (n, byStatus) => n + Object.values(byStatus).reduce((a, b) => a + b, 0),
    0,
  );
  // A run that sent nothing, or sampled too little to fit a line, proves nothing.
  if (answered === 0) console.log('\nNo operation was answered: the soak proves nothing.');
  if (verdict.length === 0) console.log('\nToo few samples to judge memory: run longer.');
  failed = errors > 0 || answered === 0 || verdict.length === 0 || verdict.some((r) => r.flagged);
  const out = args.out ?? '.local/soak/latest.json';
  await writeJson(
    out,
    verdict.map((v) => v.row),
    {
      seconds: SECONDS,
      peak_ops_per_s: peak,
      rate_ops_per_s: rate,
      max_slope: MAX_SLOPE,
      ops,
      errors,
      samples: measured,
    },
  );
  console.log(`\nFigures written to ${out}`);
} catch (err) {
  console.error(err);
  failed = true;
} finally {
  await stack.stop();
  await rm(dataDir, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
