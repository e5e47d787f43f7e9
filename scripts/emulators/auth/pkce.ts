import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Tx } from '../../../shared/db/client.ts';
import { badRequest, notFound, unprocessable } from './errors.ts';

/** How long an auth code may wait for its exchange, as GoTrue's flow state expiry. */
const FLOW_TTL_MS = 5 * 60_000;

export type ChallengeMethod = 's256' | 'plain';

/** Checks the `code_challenge` fields of a PKCE request; returns undefined for implicit flow. */
export function readChallenge(input: {
  code_challenge?: unknown;
  code_challenge_method?: unknown;
}) {
  const challenge = typeof input.code_challenge === 'string' ? input.code_challenge : '';
  const method = String(input.code_challenge_method ?? '').toLowerCase();
  if (!challenge && !method) return undefined;
  if (!challenge || (method !== 's256' && method !== 'plain')) {
    throw badRequest(
      'validation_failed',
      'PKCE flow requires code_challenge_method and code_challenge',
    );
  }
  if (challenge.length < 43 || challenge.length > 128) {
    throw badRequest('validation_failed', 'code challenge has to be between 43 and 128 characters');
  }
  return { challenge, method: method as ChallengeMethod };
}

/**
 * Records a PKCE flow; the returned auth code goes to the client in `?code=` and is later
 * exchanged with the verifier at `POST /token?grant_type=pkce`.
 */
export async function createFlowState(
  tx: Tx,
  at: Date,
  input: {
    userId?: string;
    challenge: string;
    method: ChallengeMethod;
    providerType: string;
    authenticationMethod: string;
    providerAccessToken?: string;
  },
): Promise<string> {
  const authCode = randomUUID();
  await tx`
    insert into auth.flow_state (id, user_id, auth_code, code_challenge_method, code_challenge, provider_type,
                                 provider_access_token, authentication_method, created_at, updated_at, auth_code_issued_at)
    values (gen_random_uuid(), ${input.userId ?? null}, ${authCode}, ${input.method}, ${input.challenge},
            ${input.providerType}, ${input.providerAccessToken ?? null}, ${input.authenticationMethod}, ${at}, ${at}, ${at})`;
  return authCode;
}

/** Binds a flow created before the user was known (OAuth) to its user. */
export async function attachFlowUser(tx: Tx, authCode: string, userId: string): Promise<void> {
  await tx`update auth.flow_state set user_id = ${userId}, updated_at = now() where auth_code = ${authCode}`;
}

function matches(verifier: string, challenge: string, method: ChallengeMethod): boolean {
  const expected =
    method === 's256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
  const a = Buffer.from(expected);
  const b = Buffer.from(challenge);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Consumes an auth code: it must exist, be fresh, belong to a user, and match the verifier.
 * The flow is deleted either way, so a code is never exchanged twice.
 */
export async function consumeFlow(tx: Tx, at: Date, authCode: string, verifier: string) {
  const [flow] = await tx`delete from auth.flow_state where auth_code = ${authCode} returning *`;
  if (!flow)
    throw notFound('flow_state_not_found', 'invalid flow state, no valid flow state found');
  const issued = new Date(flow.auth_code_issued_at ?? flow.created_at).getTime();
  if (at.getTime() - issued > FLOW_TTL_MS) {
    throw unprocessable('flow_state_expired', 'invalid flow state, flow state has expired');
  }
  if (!matches(verifier, flow.code_challenge, flow.code_challenge_method)) {
    throw badRequest(
      'bad_code_verifier',
      'code challenge does not match previously saved code verifier',
    );
  }
  if (!flow.user_id)
    throw notFound('flow_state_not_found', 'invalid flow state, no user for this flow');
  return {
    userId: flow.user_id as string,
    authenticationMethod: flow.authentication_method as string,
  };
}
