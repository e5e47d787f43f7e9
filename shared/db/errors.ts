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
