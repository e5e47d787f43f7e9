import type { SupabaseClient } from '@supabase/supabase-js';
import type { TokenKeyring } from '../auth/app-tokens.ts';
import type { Authenticator } from '../auth/authenticator.ts';
import type { Grants } from '../auth/principal.ts';
import type { RefreshingCache } from '../auth/refreshing-cache.ts';
import type { Clock } from '../clock.ts';
import type { FunctionConfig } from '../config.ts';
import type { Pool } from '../db/client.ts';
import type { ErrorReporter } from '../error-reporting.ts';

/**
 * Everything a route may use, built once per function instance and shared by requests
 * (`runtime/services.ts` builds it; tests may build their own through the same type).
 */
export interface Services {
  config: FunctionConfig;
  db: Pool;
  /** Where every time decision reads the time. */
  clock: Clock;
  /** Unhandled errors besides the log: Sentry with SENTRY_DSN, nowhere otherwise. */
  errors: ErrorReporter;
  authenticator: Authenticator;
  sessions: RefreshingCache<boolean>;
  /** Users' current roles and permissions by user id, as the authenticator reads them. */
  grants: RefreshingCache<Grants>;
  /** App-client tokens' liveness and grants by `<client id>:<jti>`. */
  appTokens: RefreshingCache<Grants & { active: boolean }>;
  /** The keys that sign and verify app-client tokens. */
  tokenKeys: TokenKeyring;
  /** Who issues app-client tokens (the auth function's URL): their `iss`. */
  appTokenIssuer: string;
  /**
   * supabase-js for Auth calls made for an end user: the anon key, their IP passed on in
   * `Sb-Forwarded-For` so Auth's own per-IP limits apply to them, not to this function.
   */
  authClient(opts?: { ip?: string; accessToken?: string }): SupabaseClient;
  /**
   * Storage (supabase-js `.storage`) as the caller whose access token is given, so Storage's
   * RLS decides what they reach; the anon key's identity without one.
   */
  storage(accessToken?: string): SupabaseClient['storage'];
  /** supabase-js with the service-role key, for the Auth admin API only. */
  adminClient(): SupabaseClient;
  /** Closes the pool; the instance is done. */
  close(): Promise<void>;
}
