import { type Clock, epochSeconds } from '../../../shared/clock.ts';

export type Claims = Record<string, unknown> & { role: string; exp: number; sub?: string };

/** Verifies a JWT's signature (ES256 from the JWKS, or the HS256 secret); throws if invalid. */
export type VerifyJwt = (token: string) => Promise<unknown>;

export type TokenResult =
  | { ok: true; claims: Claims }
  | {
      ok: false;
      reason: 'malformed' | 'signature' | 'expired' | 'missing_claims';
      message: string;
    };

const MALFORMED = 'The token provided is not a valid JWT';
const MISSING = 'Fields `role` and `exp` are required in JWT';

function peek(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    JSON.parse(Buffer.from(parts[0] ?? '', 'base64url').toString('utf8'));
    const claims: unknown = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString('utf8'));
    return claims && typeof claims === 'object' ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Realtime's token check: a well-formed JWT, a valid signature, `exp` in the future by
 * `clock`, and both `role` and `exp` present. Messages are the server's own.
 */
export async function confirmToken(
  raw: string,
  verify: VerifyJwt,
  clock: Clock,
): Promise<TokenResult> {
  // Realtime strips whitespace and URL-decodes the token before checking it.
  let token = raw;
  try {
    token = decodeURIComponent(raw).replace(/\s/g, '');
  } catch {
    return { ok: false, reason: 'malformed', message: MALFORMED };
  }
  const claims = peek(token);
  if (!claims) return { ok: false, reason: 'malformed', message: MALFORMED };
  let signatureOk = true;
  await verify(token).catch((err: unknown) => {
    // A signature the verifier accepted but whose exp passed by the machine's clock is an
    // expiry, not a bad signature; the Realtime clock decides below.
    signatureOk = (err as { code?: string })?.code === 'ERR_JWT_EXPIRED';
  });
  if (!signatureOk)
    return { ok: false, reason: 'signature', message: 'Failed to validate JWT signature' };
  const now = epochSeconds(clock);
  if (typeof claims.exp === 'number' && !(claims.exp > now)) {
    const ago = now - Math.round(claims.exp);
    return { ok: false, reason: 'expired', message: `Token has expired ${ago} seconds ago` };
  }
  if (typeof claims.role !== 'string' || typeof claims.exp !== 'number') {
    return { ok: false, reason: 'missing_claims', message: MISSING };
  }
  return { ok: true, claims: { ...claims, exp: Math.round(claims.exp) } as Claims };
}
