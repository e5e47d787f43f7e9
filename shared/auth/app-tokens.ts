import { decodeJwt, decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';
import { type Clock, epochSeconds, systemClock } from '../clock.ts';
import type { TokenClaims, VerifyToken } from './verifier.ts';

/**
 * App-client tokens: ES256 JWTs the `auth` function signs for the client-credentials grant,
 * shaped like Supabase's user tokens so RLS and the API read them the same way:
 *
 * ```json
 * { "iss": "<SUPABASE_URL>/functions/v1/auth", "aud": "authenticated", "role": "authenticated",
 *   "sub": "<client id>", "client_id": "<client id>", "jti": "<uuid>", "iat": 0, "exp": 0,
 *   "roles": ["reporting"], "permissions": ["audit:read"], "scope": "audit:read",
 *   "is_anonymous": false }
 * ```
 *
 * The issuer is the auth function, never Supabase Auth (`/auth/v1`), so neither kind of token
 * passes for the other; a user token has a `session_id`, an app token never does.
 */
export interface AppTokenClaims {
  sub: string;
  client_id: string;
  jti: string;
  roles: string[];
  permissions: string[];
  /** Space-separated, as RFC 6749 writes scopes: the permissions this token may use. */
  scope: string;
}

/** The longest lifetime a client may give its tokens (the database's CHECK agrees). */
export const MAX_TOKEN_LIFETIME_SECONDS = 86_400;

/** Supabase puts `authenticated` in `aud` for signed-in callers; app tokens do too. */
export const APP_TOKEN_AUDIENCE = 'authenticated';

/** Who issues app-client tokens: the auth function at its public URL. */
export function appTokenIssuer(supabaseUrl: string): string {
  return `${supabaseUrl.replace(/\/$/, '')}/functions/v1/auth`;
}

/** A signing key as the key store hands it out. */
export interface SigningKey {
  kid: string;
  key: CryptoKey;
}

/** A new key pair, its private half sealed, ready to be stored. */
export interface SealedKey {
  kid: string;
  publicJwk: JsonWebKey;
  privateKey: Uint8Array;
}

/**
 * The app-token signing keys as the functions use them; `identity/token-keys.ts` keeps them
 * in the database. Declared here so the services can name it without depending on a domain.
 */
export interface TokenKeyring {
  /** The current signing key, made on first use. */
  signer(): Promise<SigningKey>;
  /** A published key by `kid`, reloading the set once when the kid is unknown. */
  verifyingKey(kid: string): Promise<CryptoKey | undefined>;
  jwks(): Promise<{ keys: JsonWebKey[] }>;
  /** A new key pair (not yet stored, not yet signing). */
  generate(): Promise<SealedKey>;
  /** Drops what this instance remembers, after a rotation or retirement. */
  forget(): void;
}

/**
 * Signs an app-client token valid for `lifetimeSeconds` from the clock's now.
 *
 * @example
 * const token = await signAppToken(claims, { issuer, key: await keys.signer(), clock, lifetimeSeconds: 3600 });
 */
export function signAppToken(
  claims: AppTokenClaims,
  opts: { issuer: string; key: SigningKey; clock: Clock; lifetimeSeconds: number },
): Promise<string> {
  const now = epochSeconds(opts.clock);
  return new SignJWT({ ...claims, role: 'authenticated', is_anonymous: false })
    .setProtectedHeader({ alg: 'ES256', kid: opts.key.kid, typ: 'JWT' })
    .setIssuer(opts.issuer)
    .setAudience(APP_TOKEN_AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + opts.lifetimeSeconds)
    .sign(opts.key.key);
}

/** True when the token says the app-token issuer made it (unverified: only picks the verifier). */
export function claimsAppIssuer(token: string, issuer: string): boolean {
  try {
    return decodeJwt(token).iss === issuer;
  } catch {
    return false;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Verifies app-client tokens: ES256 only, a `kid` the key store publishes, this issuer and
 * audience, unexpired by `clock`, and the claims every app token has. Throws otherwise.
 *
 * @example
 * const verify = createAppTokenVerifier({ issuer, key: (kid) => keys.verifyingKey(kid), clock });
 */
export function createAppTokenVerifier(opts: {
  issuer: string;
  key: (kid: string) => Promise<CryptoKey | undefined>;
  clock?: Clock;
}): VerifyToken {
  const clock = opts.clock ?? systemClock;
  return async (token) => {
    const { alg, kid } = decodeProtectedHeader(token);
    if (alg !== 'ES256' || typeof kid !== 'string') throw new Error('not an app-client token');
    const key = await opts.key(kid);
    if (!key) throw new Error('unknown signing key');
    const { payload } = await jwtVerify(token, key, {
      algorithms: ['ES256'],
      issuer: opts.issuer,
      audience: APP_TOKEN_AUDIENCE,
      currentDate: new Date(clock.now()),
      requiredClaims: ['exp', 'sub', 'jti'],
    });
    const claims = payload as TokenClaims;
    if (
      claims.role !== 'authenticated' ||
      typeof claims.sub !== 'string' ||
      !UUID.test(claims.sub) ||
      claims.client_id !== claims.sub ||
      typeof claims.jti !== 'string' ||
      !UUID.test(claims.jti) ||
      typeof claims.scope !== 'string' ||
      'session_id' in claims
    ) {
      throw new Error('token lacks the claims of an app-client token');
    }
    return claims;
  };
}
