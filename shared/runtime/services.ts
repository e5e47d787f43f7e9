import { createClient } from '@supabase/supabase-js';
import { appTokenIssuer, claimsAppIssuer, createAppTokenVerifier } from '../auth/app-tokens.ts';
import { createAuthenticator } from '../auth/authenticator.ts';
import type { Grants } from '../auth/principal.ts';
import { RefreshingCache } from '../auth/refreshing-cache.ts';
import { cachedVerifier } from '../auth/verified-tokens.ts';
import { createTokenVerifier } from '../auth/verifier.ts';
import { type Clock, systemClock } from '../clock.ts';
import type { FunctionConfig } from '../config.ts';
import { createDb, type Pool } from '../db/client.ts';
import { asService } from '../db/doors.ts';
import { noReporter, sentryReporter } from '../error-reporting.ts';
import type { Services } from '../http/services.ts';
import { appTokenState } from '../identity/app-client-tokens.ts';
import { userGrants, userPermissions } from '../identity/rbac.ts';
import { hasVerifiedFactor, sessionActive } from '../identity/sessions.ts';
import { TokenKeys } from '../identity/token-keys.ts';

const NO_SESSION = { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false };

/**
 * How long the API may act on what it last read of sessions, grants, app-token revocations
 * and signing keys: a change in the database reaches every instance within this.
 */
const LIVENESS_TTL_MS = 10_000;

/**
 * Builds a function instance's services from its config: one pool, one clock, the token
 * verifiers with their caches, and the supabase-js clients. `db` replaces the pool (tests
 * pass one that counts queries).
 *
 * @example
 * const services = createServices(config, { dbName: 'api' });
 */
export function createServices(
  config: FunctionConfig,
  opts: { dbName: string; clock?: Clock; db?: Pool },
): Services {
  const clock = opts.clock ?? systemClock;
  const db =
    opts.db ??
    createDb(config.SUPABASE_DB_URL, {
      max: config.DB_POOL_SIZE,
      name: opts.dbName,
      prepare: config.DB_PREPARE,
    });
  const sessions = new RefreshingCache<boolean>({
    clock,
    ttlMs: LIVENESS_TTL_MS,
    lookup: (id) => asService(db, (tx) => sessionActive(tx, id)),
  });
  // The same freshness rule as sessions: a factor verified elsewhere binds within seconds.
  const factors = new RefreshingCache<boolean>({
    clock,
    ttlMs: LIVENESS_TTL_MS,
    lookup: (userId) => asService(db, (tx) => hasVerifiedFactor(tx, userId)),
  });
  const grants = new RefreshingCache<Grants>({
    clock,
    ttlMs: LIVENESS_TTL_MS,
    lookup: (userId) => asService(db, (tx) => userGrants(tx, userId)),
  });
  const appTokens = new RefreshingCache<Grants & { active: boolean }>({
    clock,
    ttlMs: LIVENESS_TTL_MS,
    lookup: (key) => {
      const [clientId = '', jti = ''] = key.split(':');
      return asService(db, (tx) => appTokenState(tx, clientId, jti));
    },
  });
  const tokenKeys = new TokenKeys({
    db,
    clock,
    secret: config.TOKEN_KEYS_SECRET,
    ttlMs: LIVENESS_TTL_MS,
  });
  const issuer = appTokenIssuer(config.SUPABASE_URL);
  const verify = createTokenVerifier({
    supabaseUrl: config.SUPABASE_URL,
    jwtSecret: config.SUPABASE_JWT_SECRET,
    clock,
  });
  const verifyApp = createAppTokenVerifier({
    issuer,
    key: (kid) => tokenKeys.verifyingKey(kid),
    clock,
  });
  const authenticator = createAuthenticator({
    verify: cachedVerifier(verify, { clock }),
    sessions,
    loadPermissions: (userId) => asService(db, (tx) => userPermissions(tx, userId)),
    hasVerifiedFactor: (userId) => factors.get(userId),
    grants: (userId) => grants.get(userId),
    apps: {
      owns: (token) => claimsAppIssuer(token, issuer),
      verify: cachedVerifier(verifyApp, { clock }),
      state: (clientId, jti) => appTokens.get(`${clientId}:${jti}`),
    },
    anonKey: config.SUPABASE_ANON_KEY,
    serviceRoleKey: config.SUPABASE_SERVICE_ROLE_KEY,
  });
  const admin = createClient(config.SUPABASE_URL, config.SUPABASE_SERVICE_ROLE_KEY, {
    auth: NO_SESSION,
  });
  const errors = config.SENTRY_DSN
    ? sentryReporter(config.SENTRY_DSN, {
        environment: config.SENTRY_ENVIRONMENT,
        serverName: opts.dbName,
      })
    : noReporter;
  return {
    config,
    db,
    clock,
    errors,
    authenticator,
    sessions,
    grants,
    appTokens,
    tokenKeys,
    appTokenIssuer: issuer,
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
    close: async () => {
      await errors.flush();
      await db.end({ timeout: 5 });
    },
  };
}
