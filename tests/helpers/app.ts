import { type FunctionConfig, functionEnvSchema, parseEnv } from '../../shared/config.ts';
import { functionBuilders } from '../../shared/functions/index.ts';
import type { App } from '../../shared/http/context.ts';
import type { Services } from '../../shared/http/services.ts';
import { createLogger } from '../../shared/log.ts';
import { createServices } from '../../shared/runtime/services.ts';

export const TEST_KEY = 'test-key-0123456789abcdefghijklmnopqrstuvwxyz';

/** A function environment as Supabase would inject it, for apps under test. */
export const TEST_ENV = {
  SUPABASE_URL: 'http://127.0.0.1:54321',
  SUPABASE_ANON_KEY: TEST_KEY,
  SUPABASE_SERVICE_ROLE_KEY: TEST_KEY,
  SUPABASE_DB_URL: 'postgres://postgres:postgres@127.0.0.1:54322/postgres',
  CURSOR_SECRET: 'test-cursor-secret-0123456789abcdefghijklmnop',
  // Admin routes at aal1, as on the local stack; tests that need the check turn it on.
  ADMIN_MFA_REQUIRED: 'false',
  TOKEN_KEYS_SECRET: 'test-token-keys-secret-0123456789abcdefghij',
  LOG_LEVEL: 'debug',
};

/** The parsed config of TEST_ENV, with defaults filled, plus overrides. */
export function testConfig(overrides: Partial<FunctionConfig> = {}): FunctionConfig {
  return { ...parseEnv(functionEnvSchema, TEST_ENV), ...overrides };
}

export interface TestApp {
  app: App;
  /** Every log line the app wrote, parsed. */
  logs: Array<Record<string, unknown>>;
  services: Services;
  /** Calls the app in-process, with the function prefix added to `path`. */
  request(path: string, init?: RequestInit): Promise<Response>;
}

/**
 * Builds a function's app exactly as its entry does, with logs captured instead of printed.
 *
 * @example
 * const { request } = buildTestApp('api');
 * expect((await request('/health')).status).toBe(200);
 */
export function buildTestApp(name: string, overrides: Partial<FunctionConfig> = {}): TestApp {
  const build = functionBuilders[name];
  if (!build) throw new Error(`No function named ${name}`);
  const logs: Array<Record<string, unknown>> = [];
  const log = createLogger({ level: 'debug', write: (line) => logs.push(JSON.parse(line)) });
  const config = testConfig(overrides);
  const services = createServices(config, { dbName: 'test' });
  const app = build({ config, log, services });
  return {
    app,
    logs,
    services,
    request: async (path, init) => app.request(`/${name}${path}`, init),
  };
}

export const FUNCTION_NAMES = Object.keys(functionBuilders);
