import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Logger } from '../log.ts';

/** What every request context carries, set by the factory's middleware. */
export interface AppVariables {
  requestId: string;
  log: Logger;
}

export interface AppEnv {
  Variables: AppVariables;
}

export type App = OpenAPIHono<AppEnv>;
