import { type JobWithMetadata, PgBoss } from 'pg-boss';
import type { Clock } from '../../shared/clock.ts';
import type { Pool } from '../../shared/db/client.ts';
import type { ErrorReporter } from '../../shared/error-reporting.ts';
import {
  JOB_NAMES,
  JOBS,
  JOBS_SCHEMA,
  type JobName,
  type JobPayload,
} from '../../shared/jobs/queues.ts';
import type { Logger } from '../../shared/log.ts';
import { inJobScope, jobTags } from './error-tracking.ts';
import type { WorkerMetrics } from './metrics.ts';

/** What a handler gets besides its payload. */
export interface JobContext {
  /**
   * Aborted when the job must stop: the worker is shutting down (reason `Interrupted`), or
   * pg-boss took the job back (it expired, or was cancelled or failed elsewhere).
   */
  signal: AbortSignal;
  log: Logger;
  /** The worker's pool; open transactions with `asService`. */
  db: Pool;
  clock: Clock;
  jobId: string;
  queue: JobName;
  /** 0 on the first attempt. */
  retryCount: number;
  retryLimit: number;
  /** The worker's started pg-boss, for settling or looking up other jobs. */
  boss: PgBoss;
}

export type JobHandler<N extends JobName> = (
  payload: JobPayload<N>,
  ctx: JobContext,
) => Promise<void>;

/** One handler per consumed queue, registered in one map (worker/jobs/handlers.ts). */
export type JobHandlers = { [N in JobName]?: JobHandler<N> };

/**
 * A job that failed for a passing reason (the database or the model unavailable, the
 * generation still held by another worker): pg-boss retries it; it is logged as a warning
 * and never reported as an error.
 */
export class Transient extends Error {
  override name = 'Transient';
}

/** Why the worker stopped a job it was running; a handler rethrows it so pg-boss retries. */
export class Interrupted extends Error {
  override name = 'Interrupted';
  readonly reason: 'shutdown';

  constructor(reason: 'shutdown') {
    super('The worker stopped while the job ran; it will be tried again');
    this.reason = reason;
  }
}

export interface RunnerOptions {
  databaseUrl: string;
  handlers: JobHandlers;
  /** Jobs of each queue run at once. */
  concurrency: number;
  db: Pool;
  clock: Clock;
  log: Logger;
  metrics: WorkerMetrics;
  /** Where a job's unexpected failure is reported (Sentry with SENTRY_DSN). */
  errors?: ErrorReporter;
  /** How often due jobs are looked for besides NOTIFY (default 5 s; 2 s at most without it). */
  pollingIntervalSeconds?: number;
}

/**
 * Consumes the queues that have a handler, with pg-boss: woken by NOTIFY the moment a job is
 * created, `concurrency` jobs per queue at once, payloads checked against their schema, and a
 * graceful stop that lets running jobs finish, then interrupts the rest.
 */
export class JobRunner {
  readonly boss: PgBoss;
  private readonly opts: RunnerOptions;
  private readonly inFlight = new Map<string, { stop: AbortController; done: Promise<unknown> }>();
  private draining = false;

  constructor(opts: RunnerOptions) {
    this.opts = opts;
    this.boss = new PgBoss({
      connectionString: opts.databaseUrl,
      schema: JOBS_SCHEMA,
      // Migrations install and upgrade pg-boss's schema; a worker never changes it.
      migrate: false,
      createSchema: false,
      schedule: false,
      useListenNotify: true,
      max: opts.concurrency + 4,
      application_name: 'worker',
      instanceName: 'generation-worker',
    });
    this.boss.on('error', (err) => opts.log.error('pg-boss error', { err }));
  }

  /** Jobs running now. */
  get running(): number {
    return this.inFlight.size;
  }

  get stopping(): boolean {
    return this.draining;
  }

  /** Starts pg-boss and brings the queues up to date; no job is taken before `work()`. */
  async start(): Promise<void> {
    await this.boss.start();
    await this.syncQueues();
  }

  /**
   * Starts taking jobs of every queue that has a handler: `concurrency` pg-boss workers per
   * queue (or the queue's own `concurrency`), each taking one job at a time. A worker that finishes a job looks for the next one
   * at once (pg-boss would otherwise wait out its polling interval, since with one job per
   * fetch it cannot tell a backlog from an empty queue).
   */
  async work(): Promise<void> {
    for (const name of JOB_NAMES) {
      const handler = this.opts.handlers[name] as JobHandler<JobName> | undefined;
      if (!handler) continue;
      const slots = JOBS[name].concurrency ?? this.opts.concurrency;
      for (let i = 0; i < slots; i++) {
        let workerId = '';
        workerId = await this.boss.work<JobPayload<JobName>>(
          name,
          {
            includeMetadata: true,
            pollingIntervalSeconds: Math.min(this.opts.pollingIntervalSeconds ?? 5, 2),
            // NOTIFY wakes workers for new jobs; retries coming due send none, so polling
            // still finds those within a few seconds.
            notifyPollingIntervalSeconds: this.opts.pollingIntervalSeconds ?? 5,
          },
          async ([job]) => {
            try {
              if (job) await this.run(name, handler, job as JobWithMetadata<JobPayload<JobName>>);
            } finally {
              // Marked before pg-boss settles the job, so its loop skips the polling wait.
              if (!this.draining) this.boss.notifyWorker(workerId);
            }
          },
        );
      }
    }
  }

  /**
   * Brings each queue's changeable options to its definition (a policy cannot change; the
   * migration that created the queue set it), and creates a queue a migration has not.
   */
  private async syncQueues(): Promise<void> {
    for (const name of JOB_NAMES) {
      const { policy, ...changeable } = JOBS[name].queue;
      if (await this.boss.getQueue(name)) await this.boss.updateQueue(name, changeable);
      else await this.boss.createQueue(name, JOBS[name].queue);
      void policy;
    }
  }

  private async run(
    name: JobName,
    handler: JobHandler<JobName>,
    job: JobWithMetadata<JobPayload<JobName>>,
  ): Promise<void> {
    const { log, metrics, clock } = this.opts;
    const parsed = JOBS[name].payload.safeParse(job.data);
    if (!parsed.success) {
      log.error('job payload does not match its queue', { queue: name, job: job.id });
      throw new Error(`Invalid ${name} payload`);
    }
    const stop = new AbortController();
    const ctx: JobContext = {
      signal: AbortSignal.any([stop.signal, job.signal]),
      log: log.child({ queue: name, job: job.id }),
      db: this.opts.db,
      clock,
      jobId: job.id,
      queue: name,
      retryCount: job.retryCount,
      retryLimit: job.retryLimit,
      boss: this.boss,
    };
    const labels = { queue: name };
    metrics.jobsStarted.inc(labels);
    metrics.running.add(labels, 1);
    // Both stamps are the database's, so the wait is measured on one clock.
    metrics.waited.observe(labels, (job.startedOn.getTime() - job.createdOn.getTime()) / 1000);
    const started = clock.now();
    let outcome = 'completed';
    const tags = jobTags(job.id, name, parsed.data);
    // Errors that escape the handler's own callbacks are reported with its job (main.ts).
    const done = inJobScope(tags, () => handler(parsed.data as JobPayload<JobName>, ctx));
    this.inFlight.set(job.id, { stop, done: done.catch(() => {}) });
    try {
      await done;
    } catch (err) {
      outcome = err instanceof Interrupted ? 'interrupted' : 'failed';
      if (err instanceof Transient) {
        metrics.jobFailures.inc(labels);
        ctx.log.warn('job failed; it will be retried', { err });
      } else if (outcome === 'failed') {
        metrics.jobFailures.inc(labels);
        ctx.log.error('job failed', { err });
        this.opts.errors?.report(err, { tags });
      }
      throw err;
    } finally {
      this.inFlight.delete(job.id);
      metrics.running.add(labels, -1);
      metrics.jobsFinished.inc({ ...labels, outcome });
      metrics.duration.observe({ ...labels, outcome }, (clock.now() - started) / 1000);
    }
  }

  /**
   * Stops taking jobs, gives running ones `graceMs` to finish, then interrupts the rest (their
   * handlers stop their processes and requeue their work, and pg-boss retries them), waits for
   * them, and closes pg-boss.
   */
  async stop(graceMs: number): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    for (const name of JOB_NAMES) {
      if (this.opts.handlers[name]) await this.boss.offWork(name, { wait: false });
    }
    const settled = () => Promise.all([...this.inFlight.values()].map((j) => j.done));
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([settled(), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    for (const job of this.inFlight.values()) job.stop.abort(new Interrupted('shutdown'));
    await settled();
    await this.boss.stop({ graceful: true, timeout: 5_000 });
  }
}
