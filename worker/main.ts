import { hostname } from 'node:os';
import { ConfigError } from '../shared/config.ts';
import { createLogger } from '../shared/log.ts';
import { startWorker } from './app.ts';
import { workerConfigFromEnv } from './config.ts';
import { fatalErrorHandler, workerReporter } from './runtime/error-tracking.ts';

// `npm run worker`: the job runner. Thin on purpose; see app.ts.
try {
  process.loadEnvFile?.('.env');
} catch {
  // No .env: the environment has what it needs, or parsing says what is missing.
}

let config: ReturnType<typeof workerConfigFromEnv>;
try {
  config = workerConfigFromEnv(process.env);
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
}

const log = createLogger({ level: config.LOG_LEVEL, bindings: { service: 'worker' } });
const errors = workerReporter({ ...config, serverName: hostname() });
// Reported (with the job it escaped from), then the process ends as Node would end it; a new
// worker and recovery take over what it ran.
const fatal = fatalErrorHandler({ errors, log, exit: (code) => process.exit(code) });
process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);

const worker = await startWorker(config, { log, errors }).catch((err: unknown) => {
  console.error(`The worker could not start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    worker.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  });
}
