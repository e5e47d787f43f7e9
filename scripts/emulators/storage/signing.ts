import { type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { type Clock, epochSeconds } from '../../../shared/clock.ts';
import { ERRORS } from './errors.ts';

/** Signed URL tokens are bound to one action, so a download link cannot upload. */
export type UrlScope = 'download' | 'upload';

export interface UrlClaims extends JWTPayload {
  /** `<bucket>/<object name>`: the only object the token opens. */
  url: string;
  scope?: UrlScope;
  /** Upload tokens: the uploader recorded as owner, and whether it may overwrite. */
  owner?: string;
  upsert?: boolean;
}

/**
 * Signs a URL token as Storage does: an HS256 JWT with the project's JWT secret over the
 * object path, issued and expiring by `clock`.
 */
export function signUrlToken(
  claims: UrlClaims,
  opts: { secret: Uint8Array; expiresIn: number; clock: Clock },
): Promise<string> {
  const iat = epochSeconds(opts.clock);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt(iat)
    .setExpirationTime(iat + Math.floor(opts.expiresIn))
    .sign(opts.secret);
}

/**
 * Verifies a URL token for one object and one action, in Storage's order: signature and
 * expiry (InvalidJWT with the verifier's message), then scope, then the object path.
 */
export async function verifyUrlToken(
  token: string,
  expected: { url: string; scope: UrlScope },
  opts: { secret: Uint8Array; clock: Clock },
): Promise<UrlClaims> {
  let claims: UrlClaims;
  try {
    const { payload } = await jwtVerify<UrlClaims>(token, opts.secret, {
      algorithms: ['HS256'],
      currentDate: new Date(opts.clock.now()),
    });
    claims = payload;
  } catch (err) {
    throw ERRORS.invalidJwt(err instanceof Error ? err.message : undefined);
  }
  // Tokens from before scopes existed: upload ones are those that carry `upsert`.
  const scope = claims.scope ?? ('upsert' in claims ? 'upload' : 'download');
  if (scope !== expected.scope) {
    throw ERRORS.invalidSignature(`Token is not scoped for ${expected.scope}`);
  }
  if (claims.url !== expected.url) throw ERRORS.invalidSignature();
  return claims;
}
