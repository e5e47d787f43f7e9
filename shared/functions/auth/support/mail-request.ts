import { type AuthError, isAuthRetryableFetchError } from '@supabase/supabase-js';
import type { Context } from 'hono';
import { AppError } from '../../../errors.ts';
import type { AppEnv } from '../../../http/context.ts';
import { fromAuthError } from './gotrue-errors.ts';

/** The one answer of magic link, reset and resend, whoever the address belongs to. */
export const ACCEPTED_MESSAGE = 'If the address can receive it, a mail is on its way';

/**
 * Decides what a mail request's Auth error becomes, so that the answer never tells whether
 * the address has an account:
 *
 * - rate limits stay 429: a client must learn to slow down;
 * - Auth unreachable (network, 502/503/504) is a 502: it says nothing about the address;
 * - anything else (no such user, signups off for OTP, an address Auth dislikes, even a
 *   failed mail send, which only happens for existing accounts) reads as accepted, and is
 *   only logged.
 */
export function settleMailRequest(
  c: Context<AppEnv>,
  action: string,
  error: AuthError | null,
): void {
  if (!error) return;
  const mapped = fromAuthError(error);
  if (mapped.code === 'rate_limited') throw mapped;
  if (isAuthRetryableFetchError(error)) {
    throw new AppError('bad_gateway', {
      detail: 'The authentication service failed',
      cause: error,
    });
  }
  const fields = { action, auth_code: error.code ?? null, auth_status: error.status ?? null };
  if ((error.status ?? 500) >= 500) c.var.log.error('mail request failed in Auth', fields);
  else c.var.log.info('mail request refused by Auth', fields);
}
