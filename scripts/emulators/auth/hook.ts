import type { Tx } from '../../../shared/db/client.ts';
import { AuthError } from './errors.ts';

const REQUIRED = [
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
const HOOK_URI = /^pg-functions:\/\/[^/]+\/([A-Za-z_]\w*)\/([A-Za-z_]\w*)$/;

export interface HookInput {
  user_id: string;
  claims: Record<string, unknown>;
  authentication_method: string;
}

/**
 * Runs the custom access token hook (`pg-functions://postgres/<schema>/<name>`) as Supabase
 * Auth does: the function gets `{user_id, claims, authentication_method}` and returns
 * `{claims}` or `{error: {http_code, message}}`. It runs as `supabase_auth_admin`, so a hook
 * that lacks its grant fails here as it would in production. Output that drops a required
 * claim is refused.
 */
export async function runAccessTokenHook(tx: Tx, uri: string, input: HookInput) {
  const m = HOOK_URI.exec(uri);
  if (!m) throw new Error(`Invalid custom access token hook URI: ${uri}`);
  // biome-ignore lint/suspicious/noExplicitAny: whatever JSON the hook function returned, checked below
  let result: Record<string, any> | undefined;
  await tx`savepoint access_token_hook`;
  try {
    await tx`set local role supabase_auth_admin`;
    // Both identifiers matched \w+ above, so quoting them is safe.
    const rows = await tx.unsafe(`select "${m[1]}"."${m[2]}"($1::text::jsonb) as out`, [
      JSON.stringify(input),
    ]);
    result = rows[0]?.out;
    await tx`reset role`;
    await tx`release savepoint access_token_hook`;
  } catch (cause) {
    await tx`rollback to savepoint access_token_hook`;
    throw new AuthError(500, 'unexpected_failure', `Error running hook URI: ${uri}`, {}, cause);
  }
  if (result?.error) {
    const status = Number(result.error.http_code) || 400;
    throw new AuthError(
      status,
      'unexpected_failure',
      String(result.error.message ?? 'Hook failed'),
    );
  }
  const claims = result?.claims;
  const missing =
    claims && typeof claims === 'object' ? REQUIRED.filter((k) => !(k in claims)) : REQUIRED;
  if (missing.length) {
    throw new AuthError(
      500,
      'unexpected_failure',
      `output claims do not conform to the expected schema: missing ${missing.join(', ')}`,
    );
  }
  return claims as Record<string, unknown>;
}
