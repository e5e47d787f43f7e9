import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common';
import { badRequest, unprocessable } from './errors.ts';
import type { AuthSettings } from './settings.ts';

/** bcrypt reads 72 bytes at most; GoTrue refuses anything longer. */
const MAX_PASSWORD_BYTES = 72;

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
const SYMBOLS = `!@#$%^&*()_+-=[]{};'\\:"|<>?,./\`~`;

/**
 * The character sets behind config.toml's `password_requirements`, as the Supabase CLI hands
 * them to GoTrue (GOTRUE_PASSWORD_REQUIRED_CHARACTERS).
 */
export function requiredCharactersFor(requirements: string): string[] {
  switch (requirements) {
    case '':
      return [];
    case 'letters_digits':
      return [LOWER + UPPER, DIGITS];
    case 'lower_upper_letters_digits':
      return [LOWER, UPPER, DIGITS];
    case 'lower_upper_letters_digits_symbols':
      return [LOWER, UPPER, DIGITS, SYMBOLS];
    default:
      throw new Error(
        `auth.password_requirements must be one of "", letters_digits, lower_upper_letters_digits, lower_upper_letters_digits_symbols; got ${JSON.stringify(requirements)}`,
      );
  }
}

/** GoTrue's `PasswordRequiredCharacters.Decode`: sets split on `:`, where `\:` is a literal `:`. */
export function readRequiredCharacters(value: string): string[] {
  const parts = value.split(':');
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i] ?? '';
    if (part.endsWith('\\')) {
      parts[i] = `${part.slice(0, -1)}:${parts[i + 1] ?? ''}`;
      parts[i + 1] = '';
    }
  }
  return parts.filter((p) => p !== '');
}

// The dictionaries take a moment to load, so the estimator is built on first use.
let estimator: ZxcvbnFactory | undefined;
const strength = () => {
  estimator ??= new ZxcvbnFactory({ dictionary, graphs: adjacencyGraphs });
  return estimator;
};

/**
 * zxcvbn's score 3 ("safely unguessable") is the bar: below it a password is among the
 * common, leaked or trivially patterned ones, or is built from the account's own address.
 */
const MIN_SCORE = 3;

export interface Weakness {
  message: string;
  reasons: string[];
}

/**
 * GoTrue's `checkPasswordStrength`, reasons and messages in its order: `length`,
 * `characters`, then `pwned`. Offline, a zxcvbn estimate that also knows the account's
 * address stands in for the Have I Been Pwned lookup. Throws GoTrue's 400 for a password
 * over 72 bytes; returns the weakness, or nothing.
 */
export function passwordWeakness(
  settings: AuthSettings,
  password: string,
  userInputs: string[] = [],
): Weakness | undefined {
  const bytes = new TextEncoder().encode(password).length;
  if (bytes > MAX_PASSWORD_BYTES) {
    throw badRequest(
      'validation_failed',
      `Password cannot be longer than ${MAX_PASSWORD_BYTES} characters`,
    );
  }
  const reasons: string[] = [];
  const messages: string[] = [];
  if (bytes < settings.passwordMinLength) {
    reasons.push('length');
    messages.push(`Password should be at least ${settings.passwordMinLength} characters.`);
  }
  const sets = settings.passwordRequiredCharacters;
  if (sets.some((set) => ![...set].some((ch) => password.includes(ch)))) {
    reasons.push('characters');
    messages.push(`Password should contain at least one character of each: ${sets.join(', ')}.`);
  }
  if (settings.passwordHibpEnabled && password !== '') {
    const inputs = userInputs.flatMap((v) => (v ? [v.toLowerCase(), ...v.split('@', 1)] : []));
    if (strength().check(password, inputs).score < MIN_SCORE) {
      reasons.push('pwned');
      messages.push(
        'Password is known to be weak and easy to guess, please choose a different one.',
      );
    }
  }
  return reasons.length ? { message: messages.join(' '), reasons } : undefined;
}

/** Refuses a weak password with GoTrue's 422 `weak_password` and its `reasons`. */
export function requireStrongPassword(
  settings: AuthSettings,
  password: string,
  userInputs: string[] = [],
): string {
  const weak = passwordWeakness(settings, password, userInputs);
  if (weak) {
    throw unprocessable('weak_password', weak.message, {
      weak_password: { reasons: weak.reasons },
    });
  }
  return password;
}
