import { type FunctionConfig, functionEnvSchema, parseEnv } from '../config.ts';
import type { App } from '../http/context.ts';
import type { Services } from '../http/services.ts';
import { createLogger, type Logger } from '../log.ts';
import { createServices } from './services.ts';

/** What a function app is built from: parsed config and the services it uses. */
export interface FunctionDeps {
  config: FunctionConfig;
  log: Logger;
  services: Services;
  /**
   * Receives work an app starts in the background at build time (it never delays a cold
   * start), so a host that wants to (tests, a graceful shutdown) can wait for it.
   */
  background?: (task: Promise<unknown>) => void;
}

export type BuildApp = (deps: FunctionDeps) => App;

/**
 * Parses the environment once and builds the app; what every function entry calls. Throws
 * a ConfigError naming every bad variable, so a misconfigured function fails at start-up.
 *
 * @example
 * Deno.serve(appFromEnv(buildApiApp, Deno.env.toObject()).fetch);
 */
export function appFromEnv(build: BuildApp, env: Record<string, string | undefined>): App {
  const config = parseEnv(functionEnvSchema, env);
  const log = createLogger({ level: config.LOG_LEVEL });
  return build({ config, log, services: createServices(config, { dbName: 'edge-function' }) });
}

/** The factory options every function shares, taken from its config. */
export function baseOptions(deps: FunctionDeps) {
  return {
    corsOrigins: deps.config.CORS_ORIGINS,
    bodyLimitBytes: deps.config.BODY_LIMIT_BYTES,
    log: deps.log,
    services: deps.services,
  };
}
