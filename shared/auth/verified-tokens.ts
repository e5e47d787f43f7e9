import type { Clock } from '../clock.ts';
import type { TokenClaims, VerifyToken } from './verifier.ts';

/**
 * Remembers tokens that verified, until their own `exp`, so a client sending the same token
 * on every request pays for one signature check (ES256 is the costliest step of a request).
 * Only successes are kept, bounded by `maxEntries` (least recently verified go first); a
 * token is never trusted past its expiry.
 *
 * @example
 * const verify = cachedVerifier(createTokenVerifier({ supabaseUrl }), { clock });
 */
export function cachedVerifier(
  verify: VerifyToken,
  opts: { clock: Clock; maxEntries?: number },
): VerifyToken {
  const max = opts.maxEntries ?? 10_000;
  const entries = new Map<string, { claims: TokenClaims; expiresAt: number }>();
  return async (token) => {
    const hit = entries.get(token);
    if (hit && hit.expiresAt > opts.clock.now()) return hit.claims;
    entries.delete(token);
    const claims = await verify(token);
    const expiresAt = typeof claims.exp === 'number' ? claims.exp * 1000 : 0;
    if (expiresAt > opts.clock.now()) {
      if (entries.size >= max) entries.delete(entries.keys().next().value as string);
      entries.set(token, { claims, expiresAt });
    }
    return claims;
  };
}
