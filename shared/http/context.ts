import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Principal } from '../auth/principal.ts';
import type { Logger } from '../log.ts';
import type { Services } from './services.ts';

/** What every request context carries, set by the factory's middleware. */
export interface AppVariables {
  /** The server's own id for this request. */
  requestId: string;
  /** The client's `x-request-id`, when it matched a short safe pattern. */
  clientRequestId?: string;
  log: Logger;
  /** The caller, set by the authentication middleware (anonymous when it is not mounted). */
  principal: Principal;
  services: Services;
  /** Set while a door holds a transaction for this request (see http/doors.ts). */
  transactionOpen?: boolean;
}

export interface AppEnv {
  Variables: AppVariables;
}

export type App = OpenAPIHono<AppEnv>;
