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
 * (checked through `sessions`, cached for seconds), and reads permissions from the claims,
 * or from the database when the token had too many to carry.
 */
export function createAuthenticator(deps: {
  verify: VerifyToken;
  sessions: SessionCache;
  loadPermissions: (userId: string) => Promise<string[]>;
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
      const overflow = claims.permissions_overflow === true;
      return userPrincipal(
        claims,
        overflow ? await deps.loadPermissions(String(claims.sub)) : undefined,
      );
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
