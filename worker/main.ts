import { ConfigError } from '../shared/config.ts';
import { startWorker } from './app.ts';
import { workerConfigFromEnv } from './config.ts';

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

const worker = await startWorker(config).catch((err: unknown) => {
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
