import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { type Clock, systemClock } from '../shared/clock.ts';
import { createDb } from '../shared/db/client.ts';
import { asService } from '../shared/db/doors.ts';
import type { ErrorReporter } from '../shared/error-reporting.ts';
import { JOB_NAMES, JOBS } from '../shared/jobs/queues.ts';
import { createLogger, type Logger } from '../shared/log.ts';
import { databaseUrl, type WorkerEnv } from './config.ts';
import type { CrmDeps } from './crm/context.ts';
import { crmDepsFromConfig } from './crm/deps.ts';
import { CancelListener } from './generation/cancels.ts';
import type { GenerationDeps } from './generation/context.ts';
import { PresenceWatcher } from './generation/presence.ts';
import { PreviewManager } from './generation/preview.ts';
import { Recovery } from './generation/recovery.ts';
import { GenerationStore } from './generation/store.ts';
import { jobHandlers } from './jobs/handlers.ts';
import { LlmClient } from './llm/client.ts';
import { MailSweep } from './mail/sweep.ts';
import { type MailTransport, smtpTransport } from './mail/transport.ts';
import { workerReporter } from './runtime/error-tracking.ts';
import { WorkerMetrics } from './runtime/metrics.ts';
import { type JobHandlers, JobRunner } from './runtime/runner.ts';
import { type OpsServer, serveOps } from './runtime/server.ts';
import { toolchainEnv } from './runtime/tool-env.ts';
import { resolveFlutter } from './toolchain/flutter.ts';
import { startGroupGuard } from './toolchain/group-guard.ts';
import { Workspaces } from './workspace/workspaces.ts';

export interface WorkerOptions {
  clock?: Clock;
  log?: Logger;
  /** The process environment the toolchain's is taken from (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Replaces the handler map (benchmarks run no-op jobs through the same runner). */
  handlers?: (deps: GenerationDeps) => JobHandlers;
  /** Replaces the CRM's Graph API client, cipher or storage (tests). */
  crm?: Partial<CrmDeps>;
  /** A WebSocket constructor for Realtime presence under Node tests. */
  realtimeTransport?: unknown;
  /** Delivers mail instead of SMTP_URL's server (tests). */
  mailTransport?: MailTransport;
  /** Overrides the generation settings' publisher limits and the like. */
  tune?: (deps: GenerationDeps) => void;
  /** Where unhandled errors go (default: Sentry with SENTRY_DSN, else nowhere). */
  errors?: ErrorReporter;
}

export interface Worker {
  workerId: string;
  /** `/health` and `/metrics` live here. */
  opsUrl: string;
  metrics: WorkerMetrics;
  /** Where unhandled errors are reported; `flush()` waits for reports in flight. */
  errors: ErrorReporter;
  runner: JobRunner;
  recovery: Recovery;
  deps: GenerationDeps;
  /** SIGTERM's path: stop taking jobs, let running ones finish within `graceMs`, then requeue. */
  stop(graceMs?: number): Promise<void>;
}

const s = (seconds: number) => Math.round(seconds * 1000);

/**
 * Builds and starts a worker from its parsed config: pg-boss, recovery of what dead workers
 * left (before any job is taken), the handlers, the periodic sweep and the ops endpoints.
 *
 * @example
 * const worker = await startWorker(workerConfigFromEnv(process.env));
 * process.on('SIGTERM', () => worker.stop());
 */
export async function startWorker(config: WorkerEnv, opts: WorkerOptions = {}): Promise<Worker> {
  const clock = opts.clock ?? systemClock;
  const log =
    opts.log ?? createLogger({ level: config.LOG_LEVEL, bindings: { service: 'worker' } });
  const env = opts.env ?? process.env;
  const url = databaseUrl(config);
  // The CRM's queues run their own number of jobs at once (shared/jobs/queues.ts).
  const crmSlots = JOB_NAMES.reduce((n, name) => n + (JOBS[name].concurrency ?? 0), 0);
  const db = createDb(url, { max: config.WORKER_CONCURRENCY * 2 + 4 + crmSlots, name: 'worker' });
  const metrics = new WorkerMetrics();
  const host = hostname();
  const workerId = `${host}:${process.pid}:${randomUUID()}`;
  const errors = opts.errors ?? workerReporter({ ...config, serverName: host });
  const flutter = resolveFlutter({ ...env, FLUTTER_BIN: config.FLUTTER_BIN });
  if (flutter.simulated) {
    log.warn('No Flutter SDK found: the SIMULATED toolchain runs every step (set FLUTTER_BIN)');
  }
  const toolEnv = toolchainEnv(env);
  // Whatever the toolchain runs dies with this process, however it dies.
  const guard = startGroupGuard();
  const workspaces = new Workspaces({ root: resolve(config.WORKSPACES_DIR), clock });
  const previews = new PreviewManager({
    flutterBin: flutter.bin,
    env: toolEnv,
    host: config.PREVIEW_HOST,
    portMin: config.PREVIEW_PORT_MIN,
    portMax: config.PREVIEW_PORT_MAX,
    publicUrl: config.PREVIEW_PUBLIC_URL,
    startTimeoutMs: s(config.STEP_TIMEOUT_PREVIEW_S),
    idleMs: s(config.PREVIEW_IDLE_S),
    killGraceMs: s(config.KILL_GRACE_S),
    guard,
    clock,
    log,
  });
  const cancels = new CancelListener(db, log);
  const presence =
    config.SUPABASE_URL && config.SUPABASE_SERVICE_ROLE_KEY
      ? new PresenceWatcher({
          supabaseUrl: config.SUPABASE_URL,
          serviceRoleKey: config.SUPABASE_SERVICE_ROLE_KEY,
          clock,
          log,
          transport: opts.realtimeTransport,
        })
      : undefined;
  const deps: GenerationDeps = {
    settings: {
      fixRounds: config.FIX_ROUNDS,
      timeouts: {
        llmMs: s(config.STEP_TIMEOUT_LLM_S),
        pubGetMs: s(config.STEP_TIMEOUT_PUB_GET_S),
        analyzeMs: s(config.STEP_TIMEOUT_ANALYZE_S),
        buildMs: s(config.STEP_TIMEOUT_BUILD_S),
        previewMs: s(config.STEP_TIMEOUT_PREVIEW_S),
      },
      killGraceMs: s(config.KILL_GRACE_S),
      leaseMs: s(config.LEASE_S),
      disconnectGraceMs: s(config.DISCONNECT_GRACE_S),
      space: {
        minFreeBytes: config.WORKSPACES_MIN_FREE_MB * 1024 * 1024,
        maxBytes:
          config.WORKSPACE_MAX_MB === undefined ? undefined : config.WORKSPACE_MAX_MB * 1024 * 1024,
      },
    },
    store: new GenerationStore(db, clock),
    workspaces,
    llm: new LlmClient({
      baseUrl: config.LLM_BASE_URL,
      apiKey: config.LLM_API_KEY,
      model: config.LLM_MODEL,
      timeoutMs: config.LLM_TIMEOUT_MS,
      maxRetries: config.LLM_MAX_RETRIES,
      clock,
    }),
    flutter,
    toolEnv,
    guard,
    previews,
    cancels,
    presence,
    errors,
    workerId,
    host,
  };
  opts.tune?.(deps);
  const mailTransport =
    opts.mailTransport ??
    (config.SMTP_URL ? smtpTransport({ url: config.SMTP_URL, from: config.MAIL_FROM }) : undefined);
  if (!mailTransport) log.warn('SMTP_URL is not set: mail in private.mail_outbox is not delivered');
  const mail = mailTransport && !opts.handlers ? { transport: mailTransport } : undefined;
  const mailSweep = mail ? new MailSweep({ db, log }) : undefined;
  const runner = new JobRunner({
    databaseUrl: url,
    handlers: opts.handlers
      ? opts.handlers(deps)
      : jobHandlers({
          generation: deps,
          crm: { ...crmDepsFromConfig(config, { db, clock, log }), ...opts.crm },
          mail,
        }),
    concurrency: config.WORKER_CONCURRENCY,
    db,
    clock,
    log,
    metrics,
    errors,
    pollingIntervalSeconds: config.POLL_INTERVAL_S,
  });
  let ops: OpsServer | undefined;
  let sweep: ReturnType<typeof setInterval> | undefined;
  try {
    await runner.start();
    await cancels.start();
    const recovery = new Recovery({
      db,
      boss: runner.boss,
      clock,
      log,
      metrics,
      workspaces,
      host,
      workerId,
    });
    // What a previous worker of this machine left is cleaned up before any job is taken.
    await recovery.startup();
    await runner.work();
    mailSweep?.start(s(config.MAIL_SWEEP_INTERVAL_S));
    sweep = setInterval(() => {
      recovery.sweep().catch((err) => log.error('recovery sweep failed', { err }));
    }, s(config.RECOVERY_INTERVAL_S));
    ops = await serveOps({
      host: config.WORKER_HOST,
      port: config.WORKER_PORT,
      health: async () => {
        const database = await asService(db, (tx) => tx`select 1`).then(
          () => true,
          () => false,
        );
        const ok = database && !runner.stopping;
        return {
          ok,
          body: {
            status: ok ? 'ok' : runner.stopping ? 'stopping' : 'unavailable',
            database,
            running: runner.running,
            concurrency: config.WORKER_CONCURRENCY,
            toolchain: flutter.simulated ? 'simulated' : 'sdk',
          },
        };
      },
      metrics: async () => {
        const depths = await asService(
          db,
          (tx) => tx<{ name: string; n: number }[]>`
            select q.name, count(j.id)::int as n from pgboss.queue q
              left join pgboss.job j on j.name = q.name and j.state in ('created', 'retry')
             group by q.name`,
        ).catch(() => []);
        for (const d of depths) metrics.queueDepth.set({ queue: d.name }, d.n);
        return metrics.render();
      },
    });
    const opsServer = ops;
    log.info('worker started', { worker: workerId, ops: opsServer.url, toolchain: flutter.bin });
    let stopped: Promise<void> | undefined;
    return {
      workerId,
      opsUrl: opsServer.url,
      metrics,
      errors,
      runner,
      recovery,
      deps,
      stop: (graceMs = s(config.SHUTDOWN_GRACE_S)) => {
        stopped ??= (async () => {
          clearInterval(sweep);
          await mailSweep?.stop();
          await runner.stop(graceMs);
          mailTransport?.close();
          await previews.stopAll();
          await guard.close();
          await cancels.stop();
          await presence?.close();
          await opsServer.close();
          await db.end({ timeout: 5 });
          await errors.flush();
          log.info('worker stopped', { worker: workerId });
        })();
        return stopped;
      },
    };
  } catch (err) {
    clearInterval(sweep);
    await mailSweep?.stop();
    mailTransport?.close();
    await ops?.close();
    await runner.boss.stop({ graceful: false }).catch(() => {});
    await cancels.stop();
    await guard.close();
    await db.end({ timeout: 1 });
    throw err;
  }
}
