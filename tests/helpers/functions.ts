import { afterAll, beforeAll } from 'vitest';
import { DEMO_ANON_KEY, DEMO_JWT_SECRET, DEMO_SERVICE_ROLE_KEY } from '../../scripts/local/keys.ts';
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
}

export interface CallInit {
  method?: string;
  json?: unknown;
  body?: string | Uint8Array<ArrayBuffer>;
  token?: string;
  headers?: Record<string, string>;
}

/**
 * Every function app wired as in production (real services, real PostgreSQL, JWKS
 * verification), talking to the in-process Auth emulator. `authEnv` takes GoTrue variable
 * names; `config` overrides the functions' own settings.
 */
export function useFunctions(
  authEnv: Record<string, string> = {},
  config: Partial<FunctionConfig> = {},
): FunctionsHarness {
  const auth = useAuthEmulator(authEnv);
  let services: Services | undefined;
  let apps: Record<string, App> = {};

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
    const built = createServices(cfg, { dbName: 'test-functions' });
    services = built;
    const log = createLogger({ level: 'silent' });
    apps = Object.fromEntries(
      Object.entries(functionBuilders).map(([name, build]) => [
        name,
        build({ config: cfg, log, services: built }),
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
    async call(fn, path, init = {}) {
      const headers: Record<string, string> = { 'x-forwarded-for': '203.0.113.9', ...init.headers };
      if (init.json !== undefined) headers['content-type'] = 'application/json';
      if (init.token) headers.authorization = `Bearer ${init.token}`;
      const app = apps[fn];
      if (!app) throw new Error(`no function ${fn}`);
      return app.request(`/${fn}${path}`, {
        method:
          init.method ?? (init.json !== undefined || init.body !== undefined ? 'POST' : 'GET'),
        headers,
        body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
      });
    },
  };
}
