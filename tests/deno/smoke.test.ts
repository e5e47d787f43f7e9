// Serves each Edge Function entry under Deno, as Supabase's runtime does, and checks that
// it answers /health. Uses no std library, so it runs with nothing fetched.

const FUNCTIONS = ['auth', 'api', 'admin', 'whatsapp'];
const DENO = Deno.execPath();

const env = {
  SUPABASE_URL: 'http://127.0.0.1:54321',
  SUPABASE_ANON_KEY: 'smoke-test-anon-key-0123456789',
  SUPABASE_SERVICE_ROLE_KEY: 'smoke-test-service-key-0123456789',
  SUPABASE_DB_URL: 'postgres://postgres:postgres@127.0.0.1:54322/postgres',
  CURSOR_SECRET: 'smoke-test-cursor-secret-0123456789abcdef',
  TOKEN_KEYS_SECRET: 'smoke-test-token-keys-secret-0123456789ab',
  LOG_LEVEL: 'silent',
};

function freePort(): number {
  const listener = Deno.listen({ hostname: '127.0.0.1', port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

async function waitForHealth(url: string, child: Deno.ChildProcess): Promise<Response> {
  const deadline = Date.now() + 30_000;
  let exited = false;
  child.status.then(() => {
    exited = true;
  });
  while (Date.now() < deadline && !exited) {
    try {
      return await fetch(url);
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${url} did not answer (process exited: ${exited})`);
}

for (const name of FUNCTIONS) {
  Deno.test(`functions/${name}/index.ts serves /${name}/health`, async () => {
    const port = freePort();
    const child = new Deno.Command(DENO, {
      args: [
        'run',
        '--node-modules-dir=manual',
        '--allow-net',
        '--allow-env',
        '--allow-read',
        `functions/${name}/index.ts`,
      ],
      env: { ...env, DENO_SERVE_ADDRESS: `tcp:127.0.0.1:${port}` },
      stdout: 'null',
      stderr: 'piped',
    }).spawn();
    try {
      const res = await waitForHealth(`http://127.0.0.1:${port}/${name}/health`, child);
      const body = await res.json();
      if (res.status !== 200 || body.status !== 'ok' || body.function !== name) {
        throw new Error(`unexpected health answer ${res.status} ${JSON.stringify(body)}`);
      }
    } finally {
      child.kill('SIGTERM');
      await child.status;
      await child.stderr.cancel();
    }
  });
}

Deno.test('a function with a missing variable fails at start-up, naming it', async () => {
  const { SUPABASE_DB_URL: _omitted, ...partial } = env;
  const out = await new Deno.Command(DENO, {
    args: [
      'run',
      '--node-modules-dir=manual',
      '--allow-net',
      '--allow-env',
      '--allow-read',
      'functions/api/index.ts',
    ],
    env: partial,
    clearEnv: true,
    stdout: 'null',
    stderr: 'piped',
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  if (out.success || !stderr.includes('SUPABASE_DB_URL: is required but not set')) {
    throw new Error(`expected a start-up failure naming SUPABASE_DB_URL, got: ${stderr}`);
  }
});
