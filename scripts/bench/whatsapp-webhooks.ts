import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createDb, type Pool } from '../../shared/db/client.ts';
import { signatureHeader } from '../../shared/whatsapp/signature.ts';
import type { LocalEnv } from '../local/env.ts';
import { freePort } from '../local/ports.ts';
import type { LocalStack } from '../local/stack.ts';
import { localWorkerEnv, startLocalWorker } from '../local/worker.ts';
import { type BenchRow, row } from './report.ts';
import { type Burst, burstCounts, webhookBurst } from './webhook-burst.ts';
import type { PlannedRequest } from './webhook-post.ts';

const run = promisify(execFile);
const POSTER = fileURLToPath(new URL('./webhook-post.ts', import.meta.url));
const TOTAL = Number(process.env.BENCH_WEBHOOKS ?? 1000);
const CONCURRENCY = 100;
/** Generous: the worker drains a thousand items in seconds; this only ends a stuck run. */
const DRAIN_DEADLINE_MS = 300_000;

/** What the poster measured. */
interface Load {
  latencies: number[];
  statuses: number[];
  seconds: number;
}

/** Nearest-rank percentile of ascending `sorted`. */
const percentile = (sorted: number[], p: number) =>
  sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] as number;

/**
 * Meta's side of a busy hour: 1,000 signed webhooks (a tenth of them repeated byte for byte,
 * in random order), 100 at once from another process, through the gateway to the whatsapp
 * function, while a worker process (as `npm run dev` starts it) processes them. Fails unless every
 * message and status is stored and applied exactly once and every status ends at `read`.
 * Reports the webhook's p50 and p99 latency (goal: p99 ≤ 100 ms) and throughput, each against
 * `GET whatsapp/health` sent the same way in the same run, and the time until the worker has
 * applied the whole burst.
 */
export async function whatsappWebhooks(
  stack: LocalStack,
  env: LocalEnv,
  scratch: string,
): Promise<BenchRow[]> {
  const db = createDb(stack.dbUrl, { max: 2, name: 'bench-whatsapp' });
  // Its own process, as in production: it competes with the function for the machine, not
  // for its event loop.
  const worker = await startLocalWorker(
    localWorkerEnv({
      env,
      gatewayUrl: stack.gatewayUrl,
      dbUrl: stack.dbUrl,
      overrides: { LOG_LEVEL: 'silent', WORKER_PORT: String(await freePort()) },
    }),
  );
  try {
    const base = `${stack.gatewayUrl}/functions/v1/whatsapp`;
    const health = await load(
      scratch,
      `${base}/health`,
      Array.from({ length: TOTAL }, () => ({})),
    );
    const phoneNumberId = `7${Date.now()}`;
    const burst = webhookBurst(phoneNumberId, TOTAL, { senders: 100, outbound: 50 });
    const projectId = await connectedProject(db, phoneNumberId, burst);
    const before = await burstCounts(db, projectId, burst.outbound);
    const planned = await Promise.all(
      burst.bodies.map(async (body) => ({
        body,
        signature: await signatureHeader(env.WHATSAPP_APP_SECRET, body),
      })),
    );
    const startedAt = performance.now();
    const posted = await load(scratch, `${base}/webhook`, planned);
    const answeredAt = performance.now();
    const refused = posted.statuses.filter((s) => s !== 200).length;
    if (refused) throw new Error(`${refused} of ${TOTAL} webhooks were not answered 200`);

    const items = burst.messages + 3 * burst.outbound.length;
    let counts = await burstCounts(db, projectId, burst.outbound);
    while (counts.processed - before.processed < items) {
      if (performance.now() - startedAt > DRAIN_DEADLINE_MS)
        throw new Error(`the worker did not drain the burst: ${JSON.stringify(counts)}`);
      await new Promise((r) => setTimeout(r, 50));
      counts = await burstCounts(db, projectId, burst.outbound);
    }
    const drainedAt = performance.now();
    const drained = (drainedAt - startedAt) / 1000;
    const expected = {
      items: before.items + items,
      processed: before.processed + items,
      applied: before.applied + items,
      deliveries: before.deliveries + burst.distinct,
      jobs: before.jobs + burst.distinct,
      inbound: burst.messages,
      clients: burst.senders.length + 1,
      created: burst.senders.length + 1,
      read: burst.outbound.length,
    };
    const wrong = Object.entries(expected).filter(
      ([k, v]) => counts[k as keyof typeof counts] !== v,
    );
    if (wrong.length) {
      throw new Error(
        `not exactly once: expected ${JSON.stringify(expected)}, got ${JSON.stringify(counts)}`,
      );
    }
    return figures(posted, health, items, drained, (drainedAt - answeredAt) / 1000);
  } finally {
    await worker.stop(0);
    await db.end();
  }
}

function figures(
  posted: Load,
  health: Load,
  items: number,
  drained: number,
  afterLastAnswer: number,
): BenchRow[] {
  const name = `POST whatsapp/webhook, ${CONCURRENCY} at once`;
  const webhook = [...posted.latencies].sort((a, b) => a - b);
  const baseline = [...health.latencies].sort((a, b) => a - b);
  return [
    row({
      name: `${name}: p50`,
      value: percentile(webhook, 50),
      baseline: percentile(baseline, 50),
      unit: 'ms',
      better: 'lower',
    }),
    row({
      name: `${name}: p99`,
      value: percentile(webhook, 99),
      baseline: percentile(baseline, 99),
      unit: 'ms',
      better: 'lower',
      goal: 'value ≤ 100 ms',
    }),
    row({
      name: `${name}: throughput`,
      value: TOTAL / posted.seconds,
      baseline: TOTAL / health.seconds,
      unit: 'req/s',
      better: 'higher',
    }),
    row({
      name: `worker applies ${items} webhook items, each once`,
      value: drained,
      unit: 's',
      better: 'lower',
      // From the first post; how long the worker still needed once the last one was answered.
      extra: { items_per_second: items / drained, after_last_answer_s: afterLastAnswer },
    }),
  ];
}

/** A project with the burst's number connected, and the outbound messages its statuses move. */
async function connectedProject(db: Pool, phoneNumberId: string, burst: Burst): Promise<string> {
  const [user] = await db<{ id: string }[]>`
    insert into auth.users (id, email)
    values (gen_random_uuid(), ${`${randomUUID()}@bench.example`}) returning id`;
  const [project] = await db<{ id: string }[]>`
    insert into public.projects (owner_id, name) values (${user?.id ?? null}, 'Webhook bench')
    returning id`;
  const projectId = project?.id as string;
  await db`
    insert into public.crm_channels (project_id, phone_number_id, name, access_token)
    values (${projectId}, ${phoneNumberId}, 'Bench', 'v1.AAAA.BBBB')`;
  const [someone] = await db<{ id: string }[]>`
    insert into public.crm_clients (project_id, phone, name)
    values (${projectId}, '+16505551234', 'Out') returning id`;
  await db`
    insert into public.crm_messages (project_id, client_id, direction, wamid, type, body, status,
                                     status_rank, occurred_at)
    select ${projectId}, ${someone?.id ?? null}, 'out', w, 'text', 'Hi', 'accepted', 2, now()
      from unnest(${burst.outbound}::text[]) as w`;
  return projectId;
}

/** Sends `planned` to `url` from the poster process, `CONCURRENCY` at once. */
async function load(scratch: string, url: string, planned: PlannedRequest[]): Promise<Load> {
  const file = join(scratch, 'webhook-load.json');
  await writeFile(file, JSON.stringify(planned));
  const { stdout } = await run(
    process.execPath,
    [POSTER, JSON.stringify({ url, file, concurrency: CONCURRENCY })],
    { maxBuffer: 16 << 20 },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Load;
}
