import { AsyncLocalStorage } from 'node:async_hooks';
import { type ErrorReporter, noReporter, sentryReporter } from '../../shared/error-reporting.ts';
import type { Logger } from '../../shared/log.ts';

/** What identifies the job an error belongs to: `job_id`, `queue`, and `generation_id` when set. */
export type JobTags = Record<string, string>;

/** The job whose code runs now: set around each handler, read when an error escapes it. */
const current = new AsyncLocalStorage<JobTags>();

/** The tags of the job whose code runs now, or `{}` outside any job. */
export const currentJobTags = (): JobTags => current.getStore() ?? {};

/** Runs `fn` (a job's handler) so that errors escaping it are reported with `tags`. */
export const inJobScope = <T>(tags: JobTags, fn: () => T): T => current.run(tags, fn);

/** A job's tags from its id, queue and payload: the generation it runs, when it runs one. */
export function jobTags(jobId: string, queue: string, payload: unknown): JobTags {
  const generation = (payload as { generation_id?: unknown } | null)?.generation_id;
  return {
    job_id: jobId,
    queue,
    ...(typeof generation === 'string' ? { generation_id: generation } : {}),
  };
}

/** Sentry when SENTRY_DSN is set, nothing otherwise; the same reporter the functions use. */
export function workerReporter(config: {
  SENTRY_DSN?: string;
  SENTRY_ENVIRONMENT: string;
  serverName?: string;
}): ErrorReporter {
  return config.SENTRY_DSN
    ? sentryReporter(config.SENTRY_DSN, {
        environment: config.SENTRY_ENVIRONMENT,
        serverName: config.serverName,
      })
    : noReporter;
}

/**
 * What the process does with an uncaught exception or an unhandled rejection: log it, report
 * it (with the job it came from, when it came from one), wait up to `flushMs` for the report
 * to leave, then exit 1 as Node would. The process is in an unknown state: a new worker, and
 * recovery, are safer than going on.
 *
 * @example
 * const fatal = fatalErrorHandler({ errors, log, exit: process.exit });
 * process.on('uncaughtException', fatal);
 * process.on('unhandledRejection', fatal);
 */
export function fatalErrorHandler(opts: {
  errors: ErrorReporter;
  log: Logger;
  exit: (code: number) => void;
  flushMs?: number;
}): (err: unknown, origin?: unknown) => void {
  let exiting = false;
  return (err, origin) => {
    const kind = typeof origin === 'string' ? origin : 'unhandledRejection';
    const tags = { ...currentJobTags(), kind };
    opts.log.error('the worker failed unexpectedly', { err, ...tags });
    opts.errors.report(err, { tags });
    if (exiting) return;
    exiting = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const waited = new Promise<void>((done) => {
      timer = setTimeout(done, opts.flushMs ?? 2_000);
    });
    void Promise.race([opts.errors.flush(), waited]).finally(() => {
      clearTimeout(timer);
      opts.exit(1);
    });
  };
}
