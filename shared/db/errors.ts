import { AppError } from '../errors.ts';
import { CONSTRAINTS } from './constraints.ts';

/**
 * What PostgreSQL said, for mapping to an HTTP answer. Only the SQLSTATE and the constraint
 * name are read: the message is never shown to a client.
 */
export interface PgFailure {
  code: string;
  constraint?: string;
}

export function pgFailure(err: unknown): PgFailure | undefined {
  const e = err as { code?: unknown; constraint_name?: unknown } | null;
  if (typeof e?.code !== 'string' || !/^[0-9A-Z]{5}$/.test(e.code)) return undefined;
  return {
    code: e.code,
    constraint: typeof e.constraint_name === 'string' ? e.constraint_name : undefined,
  };
}

/** RLS refused a write, or a function raised insufficient_privilege. */
export const INSUFFICIENT_PRIVILEGE = '42501';
export const UNIQUE_VIOLATION = '23505';
export const FOREIGN_KEY_VIOLATION = '23503';
export const CHECK_VIOLATION = '23514';
export const INVALID_PARAMETER_VALUE = '22023';

/** True when `err` is a PostgreSQL error with one of `codes`. */
export function isPg(err: unknown, ...codes: string[]): boolean {
  const failure = pgFailure(err);
  return failure !== undefined && codes.includes(failure.code);
}

/** postgres.js's own codes for a connection that failed or went away. */
const CONNECTION_LOST = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
]);

const unavailable = (cause: unknown) =>
  new AppError('service_unavailable', {
    detail: 'The database is busy or restarting; try again shortly',
    headers: { 'retry-after': '1' },
    cause,
  });

/**
 * The one mapping from a database error to what a client is told, by SQLSTATE and, for
 * integrity errors, by constraint name (`constraints.ts`). Undefined for anything that is not
 * a database error, or is a server fault (a 500 with its cause logged).
 */
export function fromPgError(err: unknown): AppError | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && CONNECTION_LOST.has(code)) return unavailable(err);
  const failure = pgFailure(err);
  if (!failure) return undefined;
  const known = failure.constraint ? CONSTRAINTS[failure.constraint] : undefined;
  if (known && failure.code.startsWith('23')) {
    const errors = known.path ? [{ path: known.path, message: known.message }] : undefined;
    return new AppError(known.code, { detail: known.message, errors, cause: err });
  }
  switch (failure.code.slice(0, 2)) {
    case '23':
      // An integrity rule without an entry: still the client's request, never a 500.
      return failure.code === UNIQUE_VIOLATION
        ? new AppError('conflict', { detail: 'That already exists', cause: err })
        : new AppError('validation_failed', {
            detail: 'A value is not allowed',
            errors: [{ path: 'body', message: 'A value is not allowed' }],
            cause: err,
          });
    case '22':
      return new AppError('validation_failed', {
        detail: 'A value is not valid',
        errors: [{ path: 'body', message: 'A value is not valid' }],
        cause: err,
      });
    case '40': // serialization failure, deadlock: the same request may well pass again
    case '53': // out of connections, memory or disk
    case '57': // cancelled by a timeout, or the server is shutting down
    case '08': // connection exception
      return unavailable(err);
  }
  if (failure.code === INSUFFICIENT_PRIVILEGE)
    return new AppError('forbidden', { detail: 'You may not do this', cause: err });
  return undefined;
}
