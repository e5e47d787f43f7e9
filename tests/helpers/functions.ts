import { afterAll, beforeAll } from 'vitest';
import { DEMO_ANON_KEY, DEMO_JWT_SECRET, DEMO_SERVICE_ROLE_KEY } from '../../scripts/local/keys.ts';
import type { Clock } from '../../shared/clock.ts';
import type { FunctionConfig } from '../../shared/config.ts';
import { functionBuilders } from '../../shared/functions/index.ts';
import type { App } from '../../shared/http/context.ts';
import type { Services } from '../../shared/http/services.ts';
import { createLogger } from '../../shared/log.ts';
import { createServices } from '../../shared/runtime/services.ts';
import { testConfig } from './app.ts';
import { type AuthEmulatorHarness, SUPABASE_URL, useAuthEmulator } from './auth-emulator.ts';

export interface FunctionsHarness {
  auth: AuthEmulatorHarness;
  readonly services: Services;
  /**
   * Calls a function in-process: `call('auth', '/login', { json: {...} })`. `body` sends raw
   * text as it is (for bodies JSON.stringify cannot write), with the headers the caller gives.
   */
  call(fn: string, path: string, init?: CallInit): Promise<Response>;
  /** Resolves when the work the apps started in the background at build time is done. */
  started(): Promise<void>;
}

export interface CallInit {
  method?: string;
  json?: unknown;
  /** An application/x-www-form-urlencoded body (OAuth endpoints). */
  form?: Record<string, string>;
  body?: string | Uint8Array<ArrayBuffer>;
  token?: string;
  headers?: Record<string, string>;
}

/**
 * Every function app wired as in production (real services, real PostgreSQL, JWKS
 * verification), talking to the in-process Auth emulator. `authEnv` takes GoTrue variable
 * names; `config` overrides the functions' own settings; `opts.clock` is the time both the
 * functions and the emulator decide by (a ManualClock lets a test move it).
 */
export function useFunctions(
  authEnv: Record<string, string> = {},
  config: Partial<FunctionConfig> = {},
  opts: { clock?: Clock } = {},
): FunctionsHarness {
  const auth = useAuthEmulator(authEnv, { clock: opts.clock });
  let services: Services | undefined;
  let apps: Record<string, App> = {};
  const tasks: Array<Promise<unknown>> = [];

  beforeAll(() => {
    const cfg = testConfig({
      SUPABASE_URL,
      SUPABASE_DB_URL: auth.db.url,
      SUPABASE_ANON_KEY: DEMO_ANON_KEY,
      SUPABASE_SERVICE_ROLE_KEY: DEMO_SERVICE_ROLE_KEY,
      SUPABASE_JWT_SECRET: DEMO_JWT_SECRET,
      LOG_LEVEL: 'silent',
      ...config,
    });
    const built = createServices(cfg, { dbName: 'test-functions', clock: opts.clock });
    services = built;
    const log = createLogger({ level: 'silent' });
    apps = Object.fromEntries(
      Object.entries(functionBuilders).map(([name, build]) => [
        name,
        build({ config: cfg, log, services: built, background: (task) => tasks.push(task) }),
      ]),
    );
  });
  afterAll(async () => {
    await services?.db.end();
  });

  return {
    auth,
    get services() {
      if (!services) throw new Error('services exist only inside tests and hooks');
      return services;
    },
    async started() {
      await Promise.all(tasks);
    },
    async call(fn, path, init = {}) {
      const headers: Record<string, string> = { 'x-forwarded-for': '203.0.113.9', ...init.headers };
      if (init.json !== undefined) headers['content-type'] = 'application/json';
      if (init.form !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
      if (init.token) headers.authorization = `Bearer ${init.token}`;
      const app = apps[fn];
      if (!app) throw new Error(`no function ${fn}`);
      const body =
        init.json !== undefined
          ? JSON.stringify(init.json)
          : init.form !== undefined
            ? new URLSearchParams(init.form).toString()
            : init.body;
      return app.request(`/${fn}${path}`, {
        method: init.method ?? (body !== undefined ? 'POST' : 'GET'),
        headers: { ...headers, ...(init.headers ?? {}) },
        body,
      });
    },
  };
}
