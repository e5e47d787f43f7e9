import type { SupabaseClient } from '@supabase/supabase-js';
import type { Authenticator } from '../auth/authenticator.ts';
import type { SessionCache } from '../auth/session-cache.ts';
import type { Clock } from '../clock.ts';
import type { FunctionConfig } from '../config.ts';
import type { Pool } from '../db/client.ts';

/**
 * Everything a route may use, built once per function instance and shared by requests
 * (`runtime/services.ts` builds it; tests may build their own through the same type).
 */
export interface Services {
  config: FunctionConfig;
  db: Pool;
  /** Where every time decision reads the time. */
  clock: Clock;
  authenticator: Authenticator;
  sessions: SessionCache;
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
