import { createClient } from '@supabase/supabase-js';
import { createAuthenticator } from '../auth/authenticator.ts';
import { SessionCache } from '../auth/session-cache.ts';
import { cachedVerifier } from '../auth/verified-tokens.ts';
import { createTokenVerifier } from '../auth/verifier.ts';
import { type Clock, systemClock } from '../clock.ts';
import type { FunctionConfig } from '../config.ts';
import { createDb } from '../db/client.ts';
import { asService } from '../db/doors.ts';
import type { Services } from '../http/services.ts';
import { userPermissions } from '../identity/rbac.ts';
import { hasVerifiedFactor, sessionActive } from '../identity/sessions.ts';

const NO_SESSION = { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false };

/**
 * Builds a function instance's services from its config: one pool, one clock, the token
 * verifier with its caches, and the supabase-js clients.
 *
 * @example
 * const services = createServices(config, { dbName: 'api' });
 */
export function createServices(
  config: FunctionConfig,
  opts: { dbName: string; clock?: Clock },
): Services {
  const clock = opts.clock ?? systemClock;
  const db = createDb(config.SUPABASE_DB_URL, { max: config.DB_POOL_SIZE, name: opts.dbName });
  const sessions = new SessionCache({
    clock,
    ttlMs: 10_000,
    lookup: (id) => asService(db, (tx) => sessionActive(tx, id)),
  });
  // The same freshness rule as sessions: a factor verified elsewhere binds within seconds.
  const factors = new SessionCache({
    clock,
    ttlMs: 10_000,
    lookup: (userId) => asService(db, (tx) => hasVerifiedFactor(tx, userId)),
  });
  const verify = createTokenVerifier({
    supabaseUrl: config.SUPABASE_URL,
    jwtSecret: config.SUPABASE_JWT_SECRET,
    clock,
  });
  const authenticator = createAuthenticator({
    verify: cachedVerifier(verify, { clock }),
    sessions,
    loadPermissions: (userId) => asService(db, (tx) => userPermissions(tx, userId)),
    hasVerifiedFactor: (userId) => factors.isActive(userId),
    anonKey: config.SUPABASE_ANON_KEY,
    serviceRoleKey: config.SUPABASE_SERVICE_ROLE_KEY,
  });
  const admin = createClient(config.SUPABASE_URL, config.SUPABASE_SERVICE_ROLE_KEY, {
    auth: NO_SESSION,
  });
  return {
    config,
    db,
    clock,
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
    storage: (accessToken) =>
      createClient(config.SUPABASE_URL, config.SUPABASE_ANON_KEY, {
        auth: NO_SESSION,
        ...(accessToken ? { accessToken: async () => accessToken } : {}),
      }).storage,
    adminClient: () => admin,
    close: () => db.end({ timeout: 5 }),
  };
}
