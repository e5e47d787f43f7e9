import type { Context } from 'hono';

/** The API version auth-js sends and GoTrue answers with; it selects the error shape. */
export const API_VERSION = '2024-01-01';

/**
 * An error as Supabase Auth returns it. Clients that send `X-Supabase-Api-Version:
 * 2024-01-01` (auth-js does) get `{code: <error_code>, msg}`; older clients get
 * `{code: <status>, error_code, msg}`.
 */
export class AuthError extends Error {
  readonly status: number;
  readonly errorCode: string;
  readonly extra: Record<string, unknown>;

  constructor(
    status: number,
    errorCode: string,
    message: string,
    extra: Record<string, unknown> = {},
    cause?: unknown,
  ) {
    super(message, { cause });
    this.status = status;
    this.errorCode = errorCode;
    this.extra = extra;
  }
}

/** OAuth 2.0 style error (`error`, `error_description`); GoTrue answers these with 400. */
export class OAuthError extends Error {
  readonly error: string;
  readonly description: string;

  constructor(error: string, description: string) {
    super(description);
    this.error = error;
    this.description = description;
  }
}

/**
 * GoTrue's `HandleResponseError`. Clients that send `X-Supabase-Api-Version: 2024-01-01`
 * (auth-js does) get `{code: <error_code>, message}` and the version header back; older
 * clients get `{code: <status>, error_code, msg}`. Every coded error names its code in
 * `x-sb-error-code`. An error without a code reads as `unexpected_failure` (500) or
 * `unknown`, as GoTrue's do.
 */
export function renderAuthError(c: Context, err: unknown): Response {
  if (err instanceof OAuthError) {
    const body: Record<string, string> = { error: err.error };
    if (err.description) body.error_description = err.description;
    return c.json(body, 400);
  }
  const e =
    err instanceof AuthError
      ? err
      : new AuthError(
          500,
          'unexpected_failure',
          'Unexpected failure, please check server logs for more information',
        );
  const code = e.errorCode || (e.status === 500 ? 'unexpected_failure' : 'unknown');
  if (e.errorCode) c.header('x-sb-error-code', e.errorCode);
  const modern = (c.req.header('x-supabase-api-version') ?? '') >= API_VERSION;
  if (modern) c.header('x-supabase-api-version', API_VERSION);
  const body = modern
    ? { code, message: e.message, ...e.extra }
    : { code: e.status, error_code: code, msg: e.message, ...e.extra };
  return c.json(body, e.status as 400);
}

export const badRequest = (code: string, msg: string, extra?: Record<string, unknown>) =>
  new AuthError(400, code, msg, extra);
export const unauthorized = (code: string, msg: string) => new AuthError(401, code, msg);
export const forbidden = (code: string, msg: string) => new AuthError(403, code, msg);
export const notFound = (code: string, msg: string) => new AuthError(404, code, msg);
export const unprocessable = (code: string, msg: string, extra?: Record<string, unknown>) =>
  new AuthError(422, code, msg, extra);
export const tooManyRequests = (code: string, msg: string) => new AuthError(429, code, msg);
