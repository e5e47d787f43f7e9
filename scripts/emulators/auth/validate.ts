import { badRequest } from './errors.ts';

const EMAIL =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+$/;

/** GoTrue's email check; the message is the one auth-js users see. */
export function validEmail(value: unknown): string {
  if (typeof value !== 'string' || value.length > 255 || !EMAIL.test(value.trim())) {
    throw badRequest('email_address_invalid', 'Unable to validate email address: invalid format');
  }
  return value.trim().toLowerCase();
}

export const metadata = (value: unknown): Record<string, unknown> =>
  value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
