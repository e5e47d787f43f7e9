import {
  ANONYMOUS,
  appPrincipal,
  type Grants,
  type Principal,
  userPrincipal,
} from './principal.ts';
import type { SessionCache } from './session-cache.ts';
import type { VerifyToken } from './verifier.ts';

export interface Authenticator {
  /** The caller behind a bearer token; `undefined` token means anonymous. Throws when invalid. */
  principal(token: string | undefined): Promise<Principal>;
}

export class InvalidTokenError extends Error {
  override name = 'InvalidTokenError';
}

/**
 * Turns a token into a Principal: verifies it, refuses it once its session has ended
 * (checked through `sessions`, cached for seconds), reads permissions from the claims (or
 * from the database when the token had too many to carry), and marks an aal1 session of a
 * user with a verified factor, which the route guards then hold back.
 */
export function createAuthenticator(deps: {
  verify: VerifyToken;
  sessions: SessionCache;
  loadPermissions: (userId: string) => Promise<string[]>;
  /** Whether the user has a verified second factor (asked only for aal1 tokens; cached). */
  hasVerifiedFactor: (userId: string) => Promise<boolean>;
  /** The project's API keys: callers may present them as bearer tokens (supabase-js does). */
  anonKey: string;
  serviceRoleKey: string;
  /**
   * A user's current roles and permissions from the database (cached for seconds, see
   * `RefreshingCache`): when given, they replace the token's claims, so a changed role
   * reaches the API's checks without waiting for the token's refresh.
   */
  grants?: (userId: string) => Promise<Grants>;
  /** App-client tokens from the auth function; without it they are refused. */
  apps?: AppTokenChecks;
}): Authenticator {
  const anon = new TextEncoder().encode(deps.anonKey);
  const service = new TextEncoder().encode(deps.serviceRoleKey);
  return {
    async principal(token) {
      if (!token) return ANONYMOUS;
      const presented = new TextEncoder().encode(token);
      if (sameBytes(presented, service)) return { kind: 'service' };
      if (sameBytes(presented, anon)) return ANONYMOUS;
      if (deps.apps?.owns(token)) return appCaller(deps.apps, token);
      const claims = await deps.verify(token).catch((err: unknown) => {
        throw new InvalidTokenError('invalid token', { cause: err });
      });
      if (claims.role === 'anon') return ANONYMOUS;
      if (claims.role === 'service_role') return { kind: 'service' };
      const sub = String(claims.sub);
      // All cached and off the hot path once warm: asked together, so a cold start waits
      // for one round trip, not three. An aal2 session has used its factor already.
      const [active, grants, hasVerifiedFactor] = await Promise.all([
        deps.sessions.isActive(String(claims.session_id)),
        deps.grants?.(sub),
        claims.aal === 'aal2' ? true : deps.hasVerifiedFactor(sub),
      ]);
      if (!active) throw new InvalidTokenError('session has ended');
      if (grants) {
        const principal = userPrincipal(claims, {
          permissions: grants.permissions,
          hasVerifiedFactor,
        });
        return { ...principal, roles: grants.roles };
      }
      const overflow = claims.permissions_overflow === true;
      return userPrincipal(claims, {
        permissions: overflow ? await deps.loadPermissions(sub) : undefined,
        hasVerifiedFactor,
      });
    },
  };
}

/** How the authenticator recognises, verifies and checks app-client tokens. */
export interface AppTokenChecks {
  /** True when the token names the app-token issuer (unverified: it only picks the checks). */
  owns(token: string): boolean;
  verify: VerifyToken;
  /**
   * Whether the token may still be used (client enabled, token not revoked) and the client's
   * current grants; cached for seconds, so revocations and role changes arrive within them.
   */
  state(clientId: string, jti: string): Promise<Grants & { active: boolean }>;
}

async function appCaller(apps: AppTokenChecks, token: string): Promise<Principal> {
  const claims = await apps.verify(token).catch((err: unknown) => {
    throw new InvalidTokenError('invalid app-client token', { cause: err });
  });
  const state = await apps.state(String(claims.sub), String(claims.jti));
  if (!state.active) throw new InvalidTokenError('app client disabled or token revoked');
  return appPrincipal(claims, state);
}

/** Constant-time equality, so comparing against the service-role key leaks nothing by timing. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}
