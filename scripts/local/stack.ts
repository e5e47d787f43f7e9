import { resolve } from 'node:path';
import { serve } from '@hono/node-server';
import { cachedVerifier } from '../../shared/auth/verified-tokens.ts';
import { type Clock, systemClock } from '../../shared/clock.ts';
import { functionEnvSchema, parseEnv } from '../../shared/config.ts';
import { createDb, type Pool } from '../../shared/db/client.ts';
import { functionBuilders } from '../../shared/functions/index.ts';
import type { App } from '../../shared/http/context.ts';
import { createLogger } from '../../shared/log.ts';
import { createServices } from '../../shared/runtime/services.ts';
import { createConsoleApp } from '../console/server.ts';
import { startEmbeddedPostgres } from '../db/embedded.ts';
import { applyBootstrap, applyMigrations, applySeed } from '../db/migrate.ts';
import { type AuthEmulator, createAuthEmulator } from '../emulators/auth/app.ts';
import { createMailboxApp } from '../emulators/auth/mailbox-app.ts';
import { loadAuthSettings } from '../emulators/auth/settings.ts';
import { createGraphEmulator, type GraphEmulator } from '../emulators/graph/emulator.ts';
import { createLlmEmulator } from '../emulators/llm/app.ts';
import { createRealtimeEmulator, type RealtimeEmulator } from '../emulators/realtime/app.ts';
import { loadRealtimeSettings } from '../emulators/realtime/settings.ts';
import { createStorageEmulator, type StorageEmulator } from '../emulators/storage/app.ts';
import { loadStorageSettings } from '../emulators/storage/settings.ts';
import type { LocalEnv } from './env.ts';
import { functionsRequiringJwt } from './function-settings.ts';
import { createGateway, routeUpgrades } from './gateway.ts';
import { seedInitialAdmin } from './initial-admin.ts';
import { portInUse } from './ports.ts';
import { type SmtpSink, startSmtpSink } from './smtp-sink.ts';
import { type LocalWorker, localWorkerEnv, startLocalWorker } from './worker.ts';

export interface LocalStack {
  gatewayUrl: string;
  dbUrl: string;
  functions: string[];
  auth: AuthEmulator;
  /** Meta's Graph API, emulated at `/graph`; it posts signed webhooks to the whatsapp function. */
  graph: GraphEmulator;
  storage: StorageEmulator;
  realtime: RealtimeEmulator;
  /** Where the worker delivers mail (SMTP_URL): what arrives lands in the mailbox. */
  smtp: SmtpSink;
  /** The worker process, when `worker` was asked for (`npm run dev` does). */
  worker?: LocalWorker;
  /** What the worker was (or would be) started with, to start another one like it. */
  workerEnv: Record<string, string>;
  stop(): Promise<void>;
}

export interface StackOptions {
  /**
   * Where every emulator and function reads time (token expiry, rate windows, signed URLs,
   * lockouts); tests move it instead of waiting. The system clock by default.
   */
  clock?: Clock;
  /**
   * Start the worker too, as a child process (`npm run worker` with the stack's database,
   * LLM emulator and Realtime); `env` overrides its variables. Off unless asked for.
   */
  worker?: boolean | { env?: Record<string, string> };
}

export type Progress = (step: string, detail?: string) => void;

/**
 * Starts the whole system on this machine: PostgreSQL (embedded, or DATABASE_URL), the
 * Supabase bootstrap and migrations, and every function behind one gateway. Stops in
 * reverse order. Each step reports through `progress` as it finishes.
 */
export async function startLocalStack(
  env: LocalEnv,
  progress: Progress = () => {},
  opts: StackOptions = {},
): Promise<LocalStack> {
  const cleanup: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const fn of cleanup.reverse()) await fn().catch(() => {});
  };
  try {
    if (await portInUse(env.GATEWAY_PORT)) {
      throw new Error(
        `Port ${env.GATEWAY_PORT} is in use (GATEWAY_PORT): is another stack running?`,
      );
    }
    const dbUrl = await startDatabase(env, progress, cleanup);
    const db = createDb(dbUrl, { max: 2, name: 'local-stack' });
    cleanup.push(() => db.end());
    await migrate(db, progress);

    const gatewayUrl = `http://127.0.0.1:${env.GATEWAY_PORT}`;
    const clock = opts.clock ?? systemClock;
    const auth = await startAuth(env, gatewayUrl, dbUrl, clock, cleanup);
    progress('auth', `${gatewayUrl}/auth/v1 (emulated Supabase Auth)`);
    // The worker's mail (private.mail_outbox) arrives here by SMTP and joins Auth's mail.
    const smtp = await startSmtpSink((mail) => {
      for (const to of mail.to) auth.deps.mailbox.deliver({ ...mail, to });
    });
    cleanup.push(() => smtp.stop());
    progress('mail', `${smtp.url} (SMTP into ${gatewayUrl}/mailbox)`);
    const graph = createGraphEmulator({
      webhookUrl: `${gatewayUrl}/functions/v1/whatsapp/webhook`,
      appSecret: env.WHATSAPP_APP_SECRET,
      clock,
      basePath: '/graph',
    });
    const storage = startStorage(env, dbUrl, auth, clock, cleanup);
    progress('storage', `${gatewayUrl}/storage/v1 (emulated Supabase Storage)`);
    const realtime = await startRealtime(env, dbUrl, auth, clock, cleanup);
    progress('realtime', `${gatewayUrl.replace(/^http/, 'ws')}/realtime/v1 (emulated Realtime)`);
    const gateway = createGateway({
      functions: buildFunctions(env, gatewayUrl, dbUrl, clock, cleanup),
      jwtRequired: functionsRequiringJwt(),
      // Remembered until `exp`, as every verifier in the stack does (see verified-tokens.ts).
      verifyJwt: cachedVerifier((token) => auth.deps.keys.verify(token), { clock }),
      services: {
        '/auth/v1': auth.fetch,
        '/storage/v1': storage.fetch,
        '/mailbox': createMailboxApp(auth.deps.mailbox).fetch,
        '/graph': graph.fetch,
        // OpenAI-compatible; the worker's LLM_BASE_URL points here unless a real model is set.
        '/llm/v1': createLlmEmulator({ basePath: '/llm/v1' }).fetch,
        '/realtime/v1': realtime.fetch,
        // A web app to see the system work, over the public API only (scripts/console/).
        '/console': createConsoleApp({ anonKey: env.ANON_KEY }).fetch,
      },
    });
    const server = serve({ fetch: gateway.fetch, port: env.GATEWAY_PORT, hostname: '127.0.0.1' });
    routeUpgrades(server, { '/realtime/v1/': realtime.handleUpgrade });
    // Realtime's sockets close before the server, whose close waits for every connection.
    cleanup.push(() => realtime.stop());
    cleanup.push(() => new Promise<void>((done) => server.close(() => done())));
    // Runs before the server closes: pending webhooks are dropped, those in flight finish.
    cleanup.push(() => graph.stop());
    await new Promise<void>((ready, fail) => {
      server.once('listening', ready);
      server.once('error', fail);
    });
    progress('gateway', gatewayUrl);
    if (env.INITIAL_ADMIN_EMAIL && env.INITIAL_ADMIN_PASSWORD) {
      const admin = await seedInitialAdmin(db, {
        gatewayUrl,
        serviceRoleKey: env.SERVICE_ROLE_KEY,
        email: env.INITIAL_ADMIN_EMAIL,
        password: env.INITIAL_ADMIN_PASSWORD,
      });
      progress('admin', admin);
    }
    const overrides = typeof opts.worker === 'object' ? opts.worker.env : undefined;
    const workerEnv = localWorkerEnv({ env, gatewayUrl, dbUrl, smtpUrl: smtp.url, overrides });
    let worker: LocalWorker | undefined;
    if (opts.worker) {
      worker = await startLocalWorker(workerEnv);
      // Stopped first: its running jobs end while the database and gateway still serve them.
      cleanup.push(() => worker?.stop() ?? Promise.resolve());
      progress('worker', `pid ${worker.pid}, ${worker.opsUrl}/health and /metrics`);
    }
    return {
      gatewayUrl,
      dbUrl,
      functions: Object.keys(functionBuilders),
      auth,
      graph,
      storage,
      realtime,
      smtp,
      worker,
      workerEnv,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function startDatabase(
  env: LocalEnv,
  progress: Progress,
  cleanup: Array<() => Promise<void>>,
) {
  if (env.DATABASE_URL) {
    progress('database', 'using DATABASE_URL');
    return env.DATABASE_URL;
  }
  if (await portInUse(env.DB_PORT)) {
    throw new Error(
      `Port ${env.DB_PORT} is in use (DB_PORT): stop what holds it or set DATABASE_URL`,
    );
  }
  const dataDir = resolve(env.LOCAL_DATA_DIR, 'postgres');
  const pg = await startEmbeddedPostgres({ dataDir, port: env.DB_PORT, persistent: true });
  cleanup.push(pg.stop);
  progress('database', `PostgreSQL 17 on port ${env.DB_PORT} (data in ${dataDir})`);
  return pg.url;
}

async function startAuth(
  env: LocalEnv,
  gatewayUrl: string,
  dbUrl: string,
  clock: Clock,
  cleanup: Array<() => Promise<void>>,
) {
  const db = createDb(dbUrl, { max: 5, name: 'auth-emulator' });
  cleanup.push(() => db.end());
  const settings = loadAuthSettings({
    externalUrl: `${gatewayUrl}/auth/v1`,
    jwtSecret: env.JWT_SECRET,
    env: process.env,
  });
  // Keys live with the local data, so tokens stay valid across restarts.
  settings.signingKeysPath ??= resolve(env.LOCAL_DATA_DIR, 'auth', 'signing_keys.json');
  // Mailed sign-up and sign-in links may land on the console.
  settings.redirectUrls.push(`${gatewayUrl}/console`);
  return createAuthEmulator({
    db,
    settings,
    clock,
    apiKeys: [env.ANON_KEY, env.SERVICE_ROLE_KEY],
  });
}

/** Storage over the same database; bytes under LOCAL_DATA_DIR/storage, JWTs checked as Auth's. */
function startStorage(
  env: LocalEnv,
  dbUrl: string,
  auth: AuthEmulator,
  clock: Clock,
  cleanup: Array<() => Promise<void>>,
) {
  const db = createDb(dbUrl, { max: 5, name: 'storage-emulator' });
  cleanup.push(() => db.end());
  return createStorageEmulator({
    db,
    dataDir: resolve(env.LOCAL_DATA_DIR, 'storage'),
    verifyJwt: (token) => auth.deps.keys.verify(token),
    jwtSecret: env.JWT_SECRET,
    clock,
    settings: loadStorageSettings(),
  });
}

/**
 * Realtime over the same database, verifying tokens with Auth's keys (ES256 JWKS and the
 * HS256 secret); its limits come from `REALTIME_*` variables.
 */
async function startRealtime(
  env: LocalEnv,
  dbUrl: string,
  auth: AuthEmulator,
  clock: Clock,
  cleanup: Array<() => Promise<void>>,
) {
  const realtime = await createRealtimeEmulator({
    dbUrl,
    verifyJwt: (token) => auth.deps.keys.verify(token),
    apiKeys: [env.ANON_KEY, env.SERVICE_ROLE_KEY],
    clock,
    settings: loadRealtimeSettings(process.env),
    log: (level, message) => {
      if (env.LOG_LEVEL !== 'silent' && level !== 'debug') console.error(`realtime: ${message}`);
    },
  });
  cleanup.push(() => realtime.stop());
  return realtime;
}

async function migrate(db: Pool, progress: Progress) {
  const [fresh] =
    await db`select to_regclass('supabase_migrations.schema_migrations') is null as yes`;
  await applyBootstrap(db);
  const applied = await applyMigrations(db);
  if (fresh?.yes) await applySeed(db);
  progress('migrations', applied.length ? `applied ${applied.join(', ')}` : 'up to date');
}

/**
 * Functions get what Supabase would inject, pointed at this stack, plus any of their own
 * variables set in the environment or `.env` (limits, lockout, CORS…).
 */
function buildFunctions(
  env: LocalEnv,
  gatewayUrl: string,
  dbUrl: string,
  clock: Clock,
  cleanup: Array<() => Promise<void>>,
): Record<string, App> {
  const own = Object.keys(functionEnvSchema.shape);
  const functionEnv = {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => own.includes(k))),
    SUPABASE_URL: gatewayUrl,
    SUPABASE_ANON_KEY: env.ANON_KEY,
    SUPABASE_SERVICE_ROLE_KEY: env.SERVICE_ROLE_KEY,
    SUPABASE_DB_URL: dbUrl,
    SUPABASE_JWT_SECRET: env.JWT_SECRET,
    CURSOR_SECRET: env.CURSOR_SECRET,
    ADMIN_MFA_REQUIRED: String(env.ADMIN_MFA_REQUIRED),
    TOKEN_KEYS_SECRET: env.TOKEN_KEYS_SECRET,
    CORS_ORIGINS: env.CORS_ORIGINS.join(','),
    LOG_LEVEL: env.LOG_LEVEL,
    WHATSAPP_APP_SECRET: env.WHATSAPP_APP_SECRET,
    WHATSAPP_VERIFY_TOKEN: env.WHATSAPP_VERIFY_TOKEN,
    CRM_ENCRYPTION_KEY: env.CRM_ENCRYPTION_KEY,
  };
  const config = parseEnv(functionEnvSchema, functionEnv);
  const log = createLogger({ level: config.LOG_LEVEL });
  return Object.fromEntries(
    Object.entries(functionBuilders).map(([name, build]) => {
      // One instance per function, as Supabase runs them; each closes its pool on stop.
      const services = createServices(config, { dbName: name, clock });
      cleanup.push(services.close);
      return [name, build({ config, log, services })];
    }),
  );
}
