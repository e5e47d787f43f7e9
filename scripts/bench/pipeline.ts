import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createClient } from '@supabase/supabase-js';
import { systemClock } from '../../shared/clock.ts';
import { createDb, type Pool } from '../../shared/db/client.ts';
import { asService } from '../../shared/db/doors.ts';
import { generationTopic } from '../../shared/generations/events.ts';
import { enqueue } from '../../shared/jobs/enqueue.ts';
import { createLogger } from '../../shared/log.ts';
import { startWorker } from '../../worker/app.ts';
import { workerConfigFromEnv } from '../../worker/config.ts';
import {
  EventPublisher,
  nextTurn,
  OUTPUT_CHUNK_DELAY_MS,
} from '../../worker/generation/publisher.ts';
import { GenerationStore } from '../../worker/generation/store.ts';
import { startPty } from '../../worker/toolchain/pty-runner.ts';
import { DEMO_ANON_KEY } from '../local/keys.ts';
import type { LocalStack } from '../local/stack.ts';
import { type BenchRow, row } from './report.ts';
import { benchUser } from './session.ts';

// The job pipeline's four figures, each against a baseline measured in the same run:
// enqueue-to-start latency and no-op job throughput against single-row insert commits,
// output-to-subscriber latency against a bare database broadcast, and the worker's memory
// under a 200 MiB output flood against its own size.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 300);
const JOBS = Number(process.env.BENCH_JOBS ?? 2000);
const FLOOD_MB = Number(process.env.BENCH_FLOOD_MB ?? 200);
const FLOOD = fileURLToPath(new URL('./pipeline-flood.ts', import.meta.url));

const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};

/** Single-row insert commits, one at a time: latency of each and the rate. */
async function insertCommits(db: Pool) {
  await db`create table if not exists public.bench_commits (id bigserial primary key, at timestamptz not null default now())`;
  for (let i = 0; i < 50; i++) await db`insert into public.bench_commits default values`;
  const latencies: number[] = [];
  const started = performance.now();
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now();
    await db`insert into public.bench_commits default values`;
    latencies.push(performance.now() - t);
  }
  return { latencies, perSecond: ROUNDS / ((performance.now() - started) / 1000) };
}

/** A worker whose `generation` handler does nothing but say it started. */
async function noopWorker(
  stack: LocalStack,
  scratch: string,
  concurrency: number,
  onStart: (id: string) => void,
) {
  const config = workerConfigFromEnv({
    DATABASE_URL: stack.dbUrl,
    LLM_BASE_URL: `${stack.gatewayUrl}/llm/v1`,
    WORKSPACES_DIR: `${scratch}/workspaces`,
    WORKER_CONCURRENCY: String(concurrency),
    WORKER_PORT: '0',
    LOG_LEVEL: 'silent',
  });
  return startWorker(config, {
    log: createLogger({ level: 'silent' }),
    handlers: () => ({ generation: async (p) => onStart(p.generation_id) }),
  });
}

/** Each job on its own project, so the one-per-project rule never makes one wait. */
const send = (db: Pool, id: string) =>
  asService(db, (tx) => enqueue(tx, 'generation', { generation_id: id, project_id: randomUUID() }));

async function jobFigures(stack: LocalStack, scratch: string, db: Pool): Promise<BenchRow[]> {
  const commits = await insertCommits(db);
  const waiting = new Map<string, () => void>();
  let started = 0;
  const onStart = (id: string) => {
    started++;
    waiting.get(id)?.();
  };
  // Latency with the worker's default concurrency (2): every NOTIFY wakes each idle slot.
  const latencies: number[] = [];
  let worker = await noopWorker(stack, scratch, 2, onStart);
  try {
    for (let i = 0; i < ROUNDS + 20; i++) {
      const id = randomUUID();
      const running = new Promise<void>((done) => waiting.set(id, done));
      const t = performance.now();
      await send(db, id);
      await running;
      if (i >= 20) latencies.push(performance.now() - t);
      waiting.delete(id);
      // Measured from a quiet worker: the previous job settles before the next is sent.
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await worker.stop(0);
  }
  // Throughput: JOBS sent by 8 senders at once to 8 slots, from the first send to the last start.
  worker = await noopWorker(stack, scratch, 8, onStart);
  let jobsPerSecond = 0;
  try {
    started = 0;
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < JOBS) {
          next++;
          await send(db, randomUUID());
        }
      }),
    );
    while (started < JOBS) await new Promise((r) => setTimeout(r, 5));
    jobsPerSecond = JOBS / ((performance.now() - t0) / 1000);
  } finally {
    await worker.stop(0);
  }
  const baseline = pct(commits.latencies, 50);
  return [
    row({
      name: 'enqueue-to-start latency p50 (no-op job)',
      value: pct(latencies, 50),
      unit: 'ms',
      baseline,
      better: 'lower',
      goal: '≤ 25 ms',
    }),
    row({
      name: 'enqueue-to-start latency p99 (no-op job)',
      value: pct(latencies, 99),
      unit: 'ms',
      baseline,
      better: 'lower',
      goal: '≤ 100 ms',
    }),
    row({
      name: 'no-op jobs per second vs single-row insert commits',
      value: jobsPerSecond,
      unit: '/s',
      baseline: commits.perSecond,
      better: 'higher',
      extra: { jobs: JOBS, senders: 8, worker_concurrency: 8 },
    }),
  ];
}

/** A generation held by `workerId` as a running one is, for the publisher to append to. */
async function runningGeneration(db: Pool, userId: string, workerId: string) {
  const [project] = await db<{ id: string }[]>`
    insert into public.projects (owner_id, name) values (${userId}, 'Bench stream') returning id`;
  const id = randomUUID();
  await db`insert into public.code_generations
             (id, project_id, requested_by, prompt, status, started_at, worker_id, lease_expires_at)
           values (${id}, ${project?.id as string}, ${userId}, 'bench', 'running', now(),
                   ${workerId}, now() + interval '1 hour')`;
  return id;
}

async function streamFigures(stack: LocalStack, db: Pool): Promise<BenchRow[]> {
  const user = await benchUser(stack, 'bench-stream');
  const userId = user.claims.sub as string;
  const generation = await runningGeneration(db, userId, 'bench-worker');
  const client = createClient(stack.gatewayUrl, DEMO_ANON_KEY, { auth: { persistSession: false } });
  await client.realtime.setAuth(user.token);
  const now = () => performance.timeOrigin + performance.now();
  const outputLatencies: number[] = [];
  const bareLatencies: number[] = [];
  const channel = client.channel(generationTopic(generation), { config: { private: true } });
  channel.on('broadcast', { event: 'Output' }, ({ payload }) => {
    for (const m of String(payload?.data?.text ?? '').matchAll(/tick \d+ ([\d.]+)/g)) {
      outputLatencies.push(now() - Number(m[1]));
    }
  });
  channel.on('broadcast', { event: 'bench' }, ({ payload }) => {
    bareLatencies.push(now() - Number(payload.t));
  });
  await new Promise<void>((ok, fail) =>
    channel.subscribe((s, err) => (s === 'SUBSCRIBED' ? ok() : s !== 'CLOSED' && fail(err))),
  );
  try {
    // Baseline: a broadcast from the database, on its own, reaching the same subscriber.
    for (let i = 0; i < 100; i++) {
      await db`select realtime.send(${db.json({ t: now() })}, 'bench', ${generationTopic(generation)}, true)`;
      await new Promise((r) => setTimeout(r, 20));
    }
    // A toolchain printing a line every 60 ms, through the worker's PTY runner and publisher.
    const store = new GenerationStore(db, systemClock);
    const publisher = new EventPublisher((events) =>
      store.append(generation, 'bench-worker', events),
    );
    const ticks = 100;
    const script = `let i = 0; const t = setInterval(() => { console.log('tick ' + i + ' ' + (performance.timeOrigin + performance.now())); if (++i === ${ticks}) clearInterval(t); }, 60);`;
    await startPty({
      command: process.execPath,
      args: ['-e', script],
      cwd: tmpdir(),
      timeoutMs: 60_000,
      chunkMaxDelayMs: OUTPUT_CHUNK_DELAY_MS,
      onOutput: (chunk) => {
        publisher.output('build', chunk.text, chunk.bytes);
        return nextTurn();
      },
    }).done;
    await publisher.settle();
    for (let i = 0; i < 100 && outputLatencies.length < ticks; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    publisher.close();
    return [
      row({
        name: 'toolchain output to subscriber latency p99',
        value: pct(outputLatencies, 99),
        unit: 'ms',
        baseline: pct(bareLatencies, 99),
        better: 'lower',
        goal: '≤ 150 ms',
        extra: { p50: pct(outputLatencies, 50), lines: outputLatencies.length },
      }),
    ];
  } finally {
    await client.removeAllChannels();
  }
}

async function floodFigure(stack: LocalStack, db: Pool): Promise<BenchRow[]> {
  const [owner] = await db<{ id: string }[]>`select id from auth.users limit 1`;
  const generation = await runningGeneration(db, owner?.id as string, 'bench-flood');
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--expose-gc', FLOOD, stack.dbUrl, generation, 'bench-flood', String(FLOOD_MB)],
    { maxBuffer: 1024 * 1024 },
  );
  const report = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, number>;
  return [
    row({
      name: `worker memory growth under a ${FLOOD_MB} MiB output flood`,
      value: report.rss_growth_mib ?? NaN,
      unit: 'MiB',
      baseline: report.rss_baseline_mib,
      better: 'lower',
      goal: '≤ 64 MiB',
      extra: {
        output_mib: report.output_mib ?? 0,
        events: report.events ?? 0,
        seconds: report.seconds ?? 0,
        heap_peak_mib: report.heap_peak_mib ?? 0,
        external_peak_mib: report.external_peak_mib ?? 0,
      },
    }),
  ];
}

/** The pipeline's figures; see the file comment. */
export async function pipelineFigures(stack: LocalStack, scratch: string): Promise<BenchRow[]> {
  const db = createDb(stack.dbUrl, { max: 10, name: 'bench-pipeline' });
  try {
    console.log('  jobs: enqueue to start, throughput…');
    const rows = await jobFigures(stack, scratch, db);
    console.log('  output to a Realtime subscriber…');
    rows.push(...(await streamFigures(stack, db)));
    console.log(`  a ${FLOOD_MB} MiB output flood…`);
    rows.push(...(await floodFigure(stack, db)));
    return rows;
  } finally {
    await db.end();
  }
}
