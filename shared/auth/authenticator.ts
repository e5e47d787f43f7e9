import { ANONYMOUS, type Principal, userPrincipal } from './principal.ts';
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
}): Authenticator {
  const anon = new TextEncoder().encode(deps.anonKey);
  const service = new TextEncoder().encode(deps.serviceRoleKey);
  return {
    async principal(token) {
      if (!token) return ANONYMOUS;
      const presented = new TextEncoder().encode(token);
      if (sameBytes(presented, service)) return { kind: 'service' };
      if (sameBytes(presented, anon)) return ANONYMOUS;
      const claims = await deps.verify(token).catch((err: unknown) => {
        throw new InvalidTokenError('invalid token', { cause: err });
      });
      if (claims.role === 'anon') return ANONYMOUS;
      if (claims.role === 'service_role') return { kind: 'service' };
      if (!(await deps.sessions.isActive(String(claims.session_id)))) {
        throw new InvalidTokenError('session has ended');
      }
      const sub = String(claims.sub);
      const overflow = claims.permissions_overflow === true;
      return userPrincipal(claims, {
        permissions: overflow ? await deps.loadPermissions(sub) : undefined,
        // An aal2 session has used its factor; only an aal1 one needs to know if one exists.
        hasVerifiedFactor: claims.aal === 'aal2' ? true : await deps.hasVerifiedFactor(sub),
      });
    },
  };
}

/** Constant-time equality, so comparing against the service-role key leaks nothing by timing. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}
