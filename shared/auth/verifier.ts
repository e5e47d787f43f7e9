import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import { type Clock, systemClock } from '../clock.ts';

export type TokenClaims = JWTPayload & Record<string, unknown>;
export type VerifyToken = (token: string) => Promise<TokenClaims>;

export interface VerifierOptions {
  /** The project URL; user tokens are issued by `<url>/auth/v1` and keys come from its JWKS. */
  supabaseUrl: string;
  /** The legacy HS256 secret, for projects (and API keys) still signed with it. */
  jwtSecret?: string;
  /** A key source other than the project's JWKS endpoint (tests, or app-client keys). */
  jwks?: JWTVerifyGetKey;
  /** Decides `exp` and `nbf`; the system clock unless a test moves time. */
  clock?: Clock;
}

const ASYMMETRIC = ['ES256', 'RS256', 'EdDSA'];
const API_KEY_ROLES = new Set(['anon', 'service_role']);

/**
 * Verifies Supabase tokens with jose. The key decides the algorithm, never the token: an
 * HS256 header is checked only against the shared secret, anything else only against the
 * JWKS with asymmetric algorithms, so `alg: none` and HS/ES confusion cannot pass. The
 * remote key set is cached and refetched when an unknown `kid` appears (key rotation).
 * User tokens must come from this project's Auth (`iss`) for `authenticated` (`aud`).
 *
 * @example
 * const verify = createTokenVerifier({ supabaseUrl: config.SUPABASE_URL });
 * const claims = await verify(token); // throws on anything invalid
 */
export function createTokenVerifier(opts: VerifierOptions): VerifyToken {
  const issuer = `${opts.supabaseUrl.replace(/\/$/, '')}/auth/v1`;
  const jwks =
    opts.jwks ??
    createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`), {
      cacheMaxAge: 10 * 60_000,
      cooldownDuration: 30_000,
    });
  const secret = opts.jwtSecret ? new TextEncoder().encode(opts.jwtSecret) : undefined;
  const clock = opts.clock ?? systemClock;

  return async (token) => {
    const { alg } = decodeProtectedHeader(token);
    let payload: JWTPayload;
    if (alg === 'HS256') {
      if (!secret) throw new Error('HS256 tokens are not accepted by this project');
      ({ payload } = await jwtVerify(token, secret, {
        algorithms: ['HS256'],
        currentDate: new Date(clock.now()),
      }));
    } else {
      ({ payload } = await jwtVerify(token, jwks, {
        algorithms: ASYMMETRIC,
        currentDate: new Date(clock.now()),
      }));
    }
    const claims = payload as TokenClaims;
    if (typeof claims.exp !== 'number') throw new Error('token has no expiry');
    const role = claims.role;
    if (typeof role === 'string' && API_KEY_ROLES.has(role) && !claims.sub) return claims;
    if (claims.iss !== issuer) throw new Error('token was not issued by this project');
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!aud.includes('authenticated') || role !== 'authenticated') {
      throw new Error('token is not for authenticated users');
    }
    if (typeof claims.sub !== 'string' || typeof claims.session_id !== 'string') {
      throw new Error('token lacks sub or session_id');
    }
    return claims;
  };
}
