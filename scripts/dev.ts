import { ConfigError, parseEnv } from '../shared/config.ts';
import { redactString } from '../shared/log.ts';
import { localEnvSchema } from './local/env.ts';
import { DEMO_ANON_KEY, DEMO_SERVICE_ROLE_KEY } from './local/keys.ts';
import { startLocalStack } from './local/stack.ts';

// `npm run dev`: the whole system on this machine. Thin on purpose; see local/stack.ts.
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)}s`;

try {
  process.loadEnvFile?.('.env');
} catch {
  // No .env: every variable has a local default.
}

let env: ReturnType<typeof parseEnv<typeof localEnvSchema>>;
try {
  env = parseEnv(localEnvSchema, process.env);
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
}

console.log('Starting the local stack…');
const stack = await startLocalStack(
  env,
  (step, detail) => console.log(`  ✓ ${step.padEnd(11)} ${detail ?? ''} (${elapsed()})`),
  { worker: true },
).catch((err: unknown) => {
  console.error(`\nCould not start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

const url = stack.gatewayUrl;
console.log(`
Ready in ${elapsed()}.

  API URL          ${url}
  Console          ${url}/console (sign in, projects, members, history)
  Auth             ${url}/auth/v1 (JWKS at ${url}/auth/v1/.well-known/jwks.json)
  Realtime         ${url.replace(/^http/, 'ws')}/realtime/v1 (WebSocket; REST at ${url}/realtime/v1/api)
  Mailbox          ${url}/mailbox (Auth mail: confirmations, magic links, resets)
  Storage          ${url}/storage/v1 (bytes in ${env.LOCAL_DATA_DIR}/storage)
  WhatsApp         ${url}/graph (Graph API emulator; POST /graph/_emulator/inbound to write in)
  Functions        ${stack.functions.map((f) => `${url}/functions/v1/${f}`).join('\n                   ')}
  API docs         ${url}/functions/v1/api/docs
  Worker           ${stack.worker?.opsUrl}/health and /metrics (LLM emulator at ${url}/llm/v1)
  DB URL           ${env.DATABASE_URL ? redactString(stack.dbUrl) : stack.dbUrl}
  anon key         ${shown(env.ANON_KEY, DEMO_ANON_KEY, 'ANON_KEY')}
  service_role key ${shown(env.SERVICE_ROLE_KEY, DEMO_SERVICE_ROLE_KEY, 'SERVICE_ROLE_KEY')}

Try the main job:  npm run demo -- "a todo list app"
Press Ctrl-C to stop.`);

/** The public demo keys are printed, as `supabase start` does; a key of your own is not. */
function shown(value: string, demo: string, name: string) {
  return value === demo ? value : `(from ${name})`;
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping…');
    await stack.stop();
    console.log('Stopped.');
    process.exit(0);
  });
}
