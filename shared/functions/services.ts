import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { type Authenticator, createAuthenticator } from '../auth/authenticator.ts';
import { SessionCache } from '../auth/session-cache.ts';
import { createTokenVerifier } from '../auth/verifier.ts';
import type { FunctionConfig } from '../config.ts';
import { createDb, type Sql } from '../db/client.ts';
import { asService } from '../db/doors.ts';
import { userPermissions } from '../identity/rbac.ts';
import { sessionActive } from '../identity/sessions.ts';

/** Everything a route may use, built once per function instance and shared by requests. */
export interface Services {
  config: FunctionConfig;
  db: Sql;
  authenticator: Authenticator;
  sessions: SessionCache;
  /**
   * supabase-js for Auth calls made for an end user: the anon key, their IP passed on in
   * `Sb-Forwarded-For` so Auth's own per-IP limits apply to them, not to this function.
   */
  authClient(opts?: { ip?: string; accessToken?: string }): SupabaseClient;
  /** supabase-js with the service-role key, for the Auth admin API only. */
  adminClient(): SupabaseClient;
}

const NO_SESSION = { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false };

export function createServices(config: FunctionConfig, opts: { dbName: string }): Services {
  const db = createDb(config.SUPABASE_DB_URL, { max: 5, name: opts.dbName });
  const sessions = new SessionCache({
    ttlMs: 10_000,
    lookup: (id) => asService(db, (tx) => sessionActive(tx, id)),
  });
  const authenticator = createAuthenticator({
    verify: createTokenVerifier({
      supabaseUrl: config.SUPABASE_URL,
      jwtSecret: config.SUPABASE_JWT_SECRET,
    }),
    sessions,
    loadPermissions: (userId) => asService(db, (tx) => userPermissions(tx, userId)),
    anonKey: config.SUPABASE_ANON_KEY,
    serviceRoleKey: config.SUPABASE_SERVICE_ROLE_KEY,
  });
  const admin = createClient(config.SUPABASE_URL, config.SUPABASE_SERVICE_ROLE_KEY, {
    auth: NO_SESSION,
  });
  return {
    config,
    db,
    authenticator,
    sessions,
    authClient: ({ ip, accessToken } = {}) =>
      createClient(config.SUPABASE_URL, config.SUPABASE_ANON_KEY, {
        // Implicit: mailed links then carry the session in their fragment for the app to
        // take; a PKCE code would need a verifier that only this throwaway client held.
        auth: { ...NO_SESSION, flowType: 'implicit' },
        global: {
          headers: {
            ...(ip && ip !== 'unknown' ? { 'sb-forwarded-for': ip } : {}),
            ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}),
          },
        },
      }),
    adminClient: () => admin,
  };
}
