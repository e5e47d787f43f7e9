import { z } from 'zod';
import { encryptionKey, logLevel, parseEnv, postgresUrl } from '../shared/config.ts';
import { llmEnvSchema } from './llm/config.ts';
import { mailEnvSchema } from './mail/config.ts';
import { graphEnvSchema } from './whatsapp/config.ts';

const seconds = (fallback: number) => z.coerce.number().positive().default(fallback);
const count = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);
const port = z.coerce.number().int().min(0).max(65535);

/**
 * The worker's environment, parsed once at start-up (`parseEnv` names every bad variable).
 * Every duration is in seconds.
 */
export const workerEnvSchema = z
  .object({
    /** PostgreSQL as the database owner (pg-boss and the worker's own queries). */
    DATABASE_URL: postgresUrl.optional(),
    /** What Supabase calls it; used when DATABASE_URL is not set. */
    SUPABASE_DB_URL: postgresUrl.optional(),
    /** Jobs run at once by this process. */
    WORKER_CONCURRENCY: count(1, 64, 2),
    /**
     * How often a worker looks for due jobs besides being woken by NOTIFY (retries coming due
     * send none). pg-boss takes 0.5 at least.
     */
    POLL_INTERVAL_S: z.coerce.number().min(0.5).default(5),
    /** Where each project's workspace lives (made from worker/template, then reused). */
    WORKSPACES_DIR: z.string().min(1).default('.local/workspaces'),
    /**
     * Below this much free space on the workspaces' disk, a failed step is reported as the disk
     * being full (and the project's build output is removed).
     */
    WORKSPACES_MIN_FREE_MB: z.coerce.number().min(0).default(64),
    /** A project's workspace may not grow past this (a quota the worker enforces); unset: none. */
    WORKSPACE_MAX_MB: z.coerce.number().positive().optional(),
    /** A Flutter SDK's `bin/flutter`; unset: `flutter` on PATH, else the simulated toolchain. */
    FLUTTER_BIN: z.string().min(1).optional(),
    /** LLM rounds that fix what `flutter analyze` finds. */
    FIX_ROUNDS: count(0, 10, 2),
    STEP_TIMEOUT_LLM_S: seconds(300),
    STEP_TIMEOUT_PUB_GET_S: seconds(300),
    STEP_TIMEOUT_ANALYZE_S: seconds(300),
    STEP_TIMEOUT_BUILD_S: seconds(900),
    /** How long a preview may take to answer before it counts as failed to start. */
    STEP_TIMEOUT_PREVIEW_S: seconds(180),
    /** Between TERM and KILL when a process group is stopped. */
    KILL_GRACE_S: seconds(5),
    /** With `cancel_on_disconnect`, how long a generation may go unwatched. */
    DISCONNECT_GRACE_S: seconds(30),
    /** A preview nobody restarts is stopped after this long. */
    PREVIEW_IDLE_S: seconds(900),
    PREVIEW_HOST: z.string().min(1).default('127.0.0.1'),
    PREVIEW_PORT_MIN: port.default(8100),
    PREVIEW_PORT_MAX: port.default(8199),
    /** How clients reach a preview: `{port}` is replaced (default `http://PREVIEW_HOST:{port}`). */
    PREVIEW_PUBLIC_URL: z.string().min(1).optional(),
    /** A running generation's lease; renewed every third of it. */
    LEASE_S: seconds(30),
    /** How often lapsed leases and lost jobs are looked for. */
    RECOVERY_INTERVAL_S: seconds(30),
    /** On SIGTERM, how long running jobs may take to finish before they are requeued. */
    SHUTDOWN_GRACE_S: seconds(30),
    /** `/health` and `/metrics` (Prometheus); 0 picks a free port. */
    WORKER_PORT: port.default(9464),
    WORKER_HOST: z.string().min(1).default('127.0.0.1'),
    /**
     * For Realtime presence (`cancel_on_disconnect`) and Storage (WhatsApp media, purges);
     * without them that option is ignored and media is kept by reference only.
     */
    SUPABASE_URL: z.url().optional(),
    SUPABASE_SERVICE_ROLE_KEY: z.string().min(20).optional(),
    /** Opens WhatsApp channels' access tokens; the same key the API sealed them with. */
    CRM_ENCRYPTION_KEY: encryptionKey.optional(),
    LOG_LEVEL: logLevel,
    /** Where unhandled errors are reported (Sentry); without it nothing is sent anywhere. */
    SENTRY_DSN: z.url({ message: 'must be a Sentry DSN URL' }).optional(),
    SENTRY_ENVIRONMENT: z.string().min(1).max(64).default('production'),
  })
  .extend(llmEnvSchema.shape)
  .extend(graphEnvSchema.shape)
  .extend(mailEnvSchema.shape)
  .refine((env) => Boolean(env?.DATABASE_URL || env?.SUPABASE_DB_URL), {
    message: 'set DATABASE_URL (or SUPABASE_DB_URL)',
    path: ['DATABASE_URL'],
    // Checked even when other variables are bad, so one message names them all.
    when: () => true,
  })
  .refine((env) => env.PREVIEW_PORT_MIN <= env.PREVIEW_PORT_MAX, {
    message: 'must not be above PREVIEW_PORT_MAX',
    path: ['PREVIEW_PORT_MIN'],
  });

export type WorkerEnv = z.infer<typeof workerEnvSchema>;

/** Parses the worker's environment; throws a ConfigError naming every bad variable. */
export function workerConfigFromEnv(env: Record<string, string | undefined>): WorkerEnv {
  return parseEnv(workerEnvSchema, env);
}

/** The database URL the worker uses. */
export const databaseUrl = (config: WorkerEnv): string =>
  (config.DATABASE_URL ?? config.SUPABASE_DB_URL) as string;
