/**
 * The one error table. Every error a client sees has a stable `code` from here, the HTTP
 * status that goes with it, and is rendered as RFC 9457 problem+json by `toProblem`.
 */
export const ErrorCodes = {
  bad_request: { status: 400, title: 'Bad request' },
  malformed_json: { status: 400, title: 'Malformed JSON body' },
  unauthorized: { status: 401, title: 'Authentication required' },
  invalid_token: { status: 401, title: 'Invalid or expired token' },
  invalid_credentials: { status: 401, title: 'Invalid email or password' },
  forbidden: { status: 403, title: 'Forbidden' },
  insufficient_aal: { status: 403, title: 'Second factor required' },
  email_not_confirmed: { status: 403, title: 'Email address not confirmed' },
  account_disabled: { status: 403, title: 'Account disabled' },
  not_found: { status: 404, title: 'Not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  conflict: { status: 409, title: 'Conflict' },
  email_taken: { status: 409, title: 'Email address already registered' },
  template_required: {
    status: 409,
    title: 'Outside the 24-hour customer service window: send a template',
  },
  payload_too_large: { status: 413, title: 'Payload too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  validation_failed: { status: 422, title: 'Validation failed' },
  weak_password: { status: 422, title: 'Password too weak' },
  mfa_verification_failed: { status: 422, title: 'Second factor verification failed' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Internal server error' },
  bad_gateway: { status: 502, title: 'Upstream service failed' },
  service_unavailable: { status: 503, title: 'Service unavailable' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ErrorCodes;

/** One field-level problem, with the path into the request (`body.email`, `query.limit`). */
export interface FieldError {
  path: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: ErrorCode;
  request_id: string;
  errors?: FieldError[];
}

/**
 * The error to throw from handlers and services. `detail` is shown to the client, so it
 * must never carry internals; `cause` is logged (for 5xx) and never shown.
 *
 * @example
 * throw new AppError('not_found', { detail: 'Project not found' });
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly detail?: string;
  readonly errors?: FieldError[];
  readonly headers?: Record<string, string>;

  constructor(
    code: ErrorCode,
    opts: {
      detail?: string;
      errors?: FieldError[];
      headers?: Record<string, string>;
      cause?: unknown;
    } = {},
  ) {
    super(opts.detail ?? ErrorCodes[code].title, { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = ErrorCodes[code].status;
    this.detail = opts.detail;
    this.errors = opts.errors;
    this.headers = opts.headers;
  }
}

/** The code for an HTTP status that reached us without one (framework errors). */
export function codeForStatus(status: number): ErrorCode {
  const hit = Object.entries(ErrorCodes).find(([, v]) => v.status === status);
  if (hit) return hit[0] as ErrorCode;
  return status >= 500 ? 'internal' : 'bad_request';
}

export function toProblem(error: AppError, requestId: string): Problem {
  const { title } = ErrorCodes[error.code];
  return {
    type: `urn:problem:${error.code}`,
    title,
    status: error.status,
    ...(error.detail ? { detail: error.detail } : {}),
    code: error.code,
    request_id: requestId,
    ...(error.errors ? { errors: error.errors } : {}),
  };
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
