import type { Context } from 'hono';
import { createAppTokenVerifier } from '../../../auth/app-tokens.ts';
import type { TokenClaims } from '../../../auth/verifier.ts';
import type { AppEnv } from '../../../http/context.ts';

/** An app-client token's claims, when it is one of ours, validly signed and unexpired. */
export interface ReadToken {
  clientId: string;
  jti: string;
  expiresAt: Date;
  claims: TokenClaims;
}

/**
 * The token's claims if this service issued it, its signature verifies with a published key
 * and it has not expired; undefined for anything else (user tokens, forgeries, expired).
 */
export async function readAppToken(
  c: Context<AppEnv>,
  token: string,
): Promise<ReadToken | undefined> {
  const { tokenKeys, clock, appTokenIssuer } = c.var.services;
  const verify = createAppTokenVerifier({
    issuer: appTokenIssuer,
    key: (kid) => tokenKeys.verifyingKey(kid),
    clock,
  });
  try {
    const claims = await verify(token);
    return {
      clientId: String(claims.sub),
      jti: String(claims.jti),
      expiresAt: new Date(Number(claims.exp) * 1000),
      claims,
    };
  } catch {
    return undefined;
  }
}
