import { AuthApiError } from '@supabase/supabase-js';
import { describe, expect, it } from 'vitest';
import { fromAuthError } from '../../shared/functions/auth/support/gotrue-errors.ts';

describe('fromAuthError', () => {
  it.each([
    ['email_address_invalid', 400, 'body.email'],
    ['validation_failed', 400, 'body'],
    ['same_password', 422, 'body.password'],
    ['weak_password', 422, 'body.password'],
    ['mfa_verification_failed', 422, 'body.code'],
    ['mfa_challenge_expired', 422, 'body.challenge_id'],
  ])('names the field of Auth’s %s in its 422', (code, status, path) => {
    const error = fromAuthError(new AuthApiError('Auth said no', status, code));
    expect(error.status).toBe(422);
    expect(error.errors).toEqual([{ path, message: 'Auth said no' }]);
  });

  it('adds no field errors to other answers', () => {
    expect(
      fromAuthError(new AuthApiError('no', 400, 'invalid_credentials')).errors,
    ).toBeUndefined();
  });
});
