import { type AuthError, isAuthSessionMissingError } from '@supabase/supabase-js';
import { AppError, type ErrorCode } from '../../../errors.ts';

/** Supabase Auth error codes and what they mean in this API. Unknown ones become 502. */
const MAP: Record<string, ErrorCode> = {
  invalid_credentials: 'invalid_credentials',
  email_not_confirmed: 'email_not_confirmed',
  user_banned: 'account_disabled',
  weak_password: 'weak_password',
  same_password: 'validation_failed',
  validation_failed: 'validation_failed',
  email_address_invalid: 'validation_failed',
  user_already_exists: 'email_taken',
  email_exists: 'email_taken',
  signup_disabled: 'forbidden',
  over_request_rate_limit: 'rate_limited',
  over_email_send_rate_limit: 'rate_limited',
  refresh_token_not_found: 'invalid_token',
  refresh_token_already_used: 'invalid_token',
  session_not_found: 'invalid_token',
  session_expired: 'invalid_token',
  bad_jwt: 'invalid_token',
  otp_expired: 'invalid_token',
  flow_state_not_found: 'invalid_token',
  flow_state_expired: 'invalid_token',
  bad_code_verifier: 'invalid_token',
  insufficient_aal: 'insufficient_aal',
  mfa_verification_failed: 'mfa_verification_failed',
  // The factor's budget of wrong codes is spent (the MFA verification hook refused).
  mfa_verification_rejected: 'forbidden',
  mfa_challenge_expired: 'mfa_verification_failed',
  mfa_factor_not_found: 'not_found',
  mfa_challenge_not_found: 'not_found',
  mfa_factor_name_conflict: 'conflict',
  too_many_enrolled_mfa_factors: 'conflict',
  user_not_found: 'not_found',
  not_admin: 'bad_gateway',
};

/**
 * The request field each of Auth's 422-worthy codes is about, so the 422 names it as every
 * other 422 does. Auth's own `validation_failed` does not say which field: `body`.
 */
const FIELD: Record<string, string> = {
  weak_password: 'body.password',
  same_password: 'body.password',
  email_address_invalid: 'body.email',
  validation_failed: 'body',
  mfa_verification_failed: 'body.code',
  mfa_challenge_expired: 'body.challenge_id',
};

/**
 * Turns a supabase-js AuthError into this API's error, keeping its meaning but never its
 * raw message for server-side failures (which may describe internals).
 */
export function fromAuthError(error: AuthError): AppError {
  // supabase-js reports a token whose session Auth no longer has as a missing session,
  // without Auth's code: for the caller it is the same 401 as any other dead token.
  if (isAuthSessionMissingError(error))
    return new AppError('invalid_token', {
      detail: 'The access token is invalid, expired or revoked',
      cause: error,
    });
  const code = error.code ? MAP[error.code] : undefined;
  if (code) {
    const detail = code === 'bad_gateway' ? undefined : error.message;
    const path = error.code ? FIELD[error.code] : undefined;
    const errors = path ? [{ path, message: error.message }] : undefined;
    return new AppError(code, { detail, errors, cause: error });
  }
  if (error.status === 429) return new AppError('rate_limited', { cause: error });
  if (error.status === 401 || error.status === 403)
    return new AppError('invalid_token', { cause: error });
  return new AppError('bad_gateway', { detail: 'The authentication service failed', cause: error });
}
