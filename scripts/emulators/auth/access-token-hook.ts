import type { Tx } from '../../../shared/db/client.ts';
import { AuthError } from './errors.ts';
import { hookMetadata, runHook } from './hooks.ts';
import type { SessionContext } from './sessions.ts';

/** Claims GoTrue requires in a custom access token hook's output. */
const REQUIRED_CLAIMS = [
  'aud',
  'exp',
  'iat',
  'sub',
  'role',
  'aal',
  'session_id',
  'email',
  'phone',
  'is_anonymous',
];

/**
 * The custom access token hook: `{metadata, user_id, claims, authentication_method}` in,
 * `{claims}` out, inside the token's transaction. Output without `claims`, or missing a
 * required claim, is refused as GoTrue's schema check refuses it.
 */
export async function customizeClaims(
  tx: Tx,
  ctx: SessionContext,
  userId: string,
  claims: Record<string, unknown>,
  method: string,
) {
  const hook = ctx.settings.hooks.custom_access_token;
  if (!hook) return claims;
  const out = await runHook(tx, hook, {
    metadata: hookMetadata('customize-access-token', ctx.clock, ctx.ip ?? ''),
    user_id: userId,
    claims,
    authentication_method: method,
  });
  if (!('claims' in out)) throw new AuthError(500, '', 'output claims field is missing');
  const next = out.claims;
  const missing =
    next && typeof next === 'object' && !Array.isArray(next)
      ? REQUIRED_CLAIMS.filter((k) => !(k in next))
      : REQUIRED_CLAIMS;
  if (missing.length) {
    throw new AuthError(
      500,
      '',
      `output claims do not conform to the expected schema: \n${missing.map((k) => `- (root): ${k} is required\n`).join('')}`,
    );
  }
  return next as Record<string, unknown>;
}
