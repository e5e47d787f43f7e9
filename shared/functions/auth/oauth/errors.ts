/**
 * The token endpoints answer as RFC 6749 §5.2 says, not with problem+json: OAuth clients
 * read `error`. Every answer, good or bad, carries `Cache-Control: no-store`.
 */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'unsupported_token_type'
  | 'too_many_requests';

/** The realm named in `WWW-Authenticate` challenges. */
export const REALM = 'auth';

export const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' } as const;

/**
 * An RFC 6749 error. `invalid_client` is a 401 with a `WWW-Authenticate` challenge (§5.2:
 * required when the client tried the Authorization header, and given always here so every
 * client learns how to authenticate).
 *
 * @example
 * throw new OAuthError('unsupported_grant_type', 'Only client_credentials is supported');
 */
export class OAuthError extends Error {
  readonly code: OAuthErrorCode;
  readonly status: number;
  readonly headers: Record<string, string>;
  /** The existing client whose authentication failed, for the audit log; never sent. */
  clientId?: string;

  constructor(
    code: OAuthErrorCode,
    description: string,
    opts: { status?: number; headers?: Record<string, string> } = {},
  ) {
    super(description);
    this.name = 'OAuthError';
    this.code = code;
    this.status = opts.status ?? (code === 'invalid_client' ? 401 : 400);
    this.headers = {
      ...(code === 'invalid_client' ? { 'www-authenticate': `Basic realm="${REALM}"` } : {}),
      ...opts.headers,
    };
  }
}

/** The JSON answer of an OAuth endpoint, with `no-store`. */
export function oauthJson(body: unknown, status = 200, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json;charset=UTF-8', ...NO_STORE, ...headers },
  });
}

/** The RFC 6749 §5.2 body for an OAuthError; anything else is rethrown for the app's handler. */
export function oauthErrorResponse(err: unknown): Response {
  if (!(err instanceof OAuthError)) throw err;
  return oauthJson({ error: err.code, error_description: err.message }, err.status, err.headers);
}
