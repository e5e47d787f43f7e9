import { join } from 'node:path';
import type { Clock } from '../../shared/clock.ts';
import { startWorker, type Worker, type WorkerOptions } from '../../worker/app.ts';
import { workerConfigFromEnv, workerEnvSchema } from '../../worker/config.ts';
import type { LocalEnv } from './env.ts';

/**
 * The worker as `npm run dev` runs it: on the stack's database, with the stack's LLM and
 * Graph API emulators (unless LLM_BASE_URL or GRAPH_API_BASE_URL point elsewhere), its
 * Storage and Realtime, and the same CRM key as the functions. Its own variables (FLUTTER_BIN,
 * WORKER_CONCURRENCY…) are read from the environment; `overrides` win over all.
 */
export function startLocalWorker(
  env: LocalEnv,
  stack: { gatewayUrl: string; dbUrl: string },
  opts: { clock?: Clock; overrides?: Record<string, string>; options?: WorkerOptions } = {},
): Promise<Worker> {
  const own = Object.keys(workerEnvSchema.shape);
  const fromEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => own.includes(k)));
  const config = workerConfigFromEnv({
    LLM_BASE_URL: `${stack.gatewayUrl}/llm/v1`,
    GRAPH_API_BASE_URL: `${stack.gatewayUrl}/graph`,
    WORKSPACES_DIR: join(env.LOCAL_DATA_DIR, 'workspaces'),
    WORKER_PORT: '0',
    ...fromEnv,
    DATABASE_URL: stack.dbUrl,
    SUPABASE_URL: stack.gatewayUrl,
    SUPABASE_SERVICE_ROLE_KEY: env.SERVICE_ROLE_KEY,
    CRM_ENCRYPTION_KEY: env.CRM_ENCRYPTION_KEY,
    LOG_LEVEL: env.LOG_LEVEL,
    ...opts.overrides,
  });
  return startWorker(config, { clock: opts.clock, ...opts.options });
}
