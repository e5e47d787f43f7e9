import { badRequest, unprocessable } from './errors.ts';
import type { AuthSettings } from './settings.ts';

const EMAIL =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+$/;

/** GoTrue's email check; the message is the one auth-js users see. */
export function validEmail(value: unknown): string {
  if (typeof value !== 'string' || value.length > 255 || !EMAIL.test(value.trim())) {
    throw badRequest('email_address_invalid', 'Unable to validate email address: invalid format');
  }
  return value.trim().toLowerCase();
}

/** Minimum length, as configured; reasons as GoTrue reports them. */
export function strongPassword(settings: AuthSettings, value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    throw badRequest('validation_failed', 'Password is required');
  }
  if ([...value].length < settings.passwordMinLength) {
    throw unprocessable(
      'weak_password',
      `Password should be at least ${settings.passwordMinLength} characters.`,
      {
        weak_password: { reasons: ['length'] },
      },
    );
  }
  if (new TextEncoder().encode(value).length > 72) {
    throw unprocessable('weak_password', 'Password cannot be longer than 72 characters', {
      weak_password: { reasons: ['length'] },
    });
  }
  return value;
}

export const metadata = (value: unknown): Record<string, unknown> =>
  value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
