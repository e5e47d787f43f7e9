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
}): Authenticator {
  return {
    async principal(token) {
      if (!token) return ANONYMOUS;
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
