import type { AuthError } from '../errors.ts';

/** The `error` GoTrue puts next to `error_code` in redirects, by HTTP status (its oauthErrorMap). */
const OAUTH_ERRORS: Record<number, string> = {
  400: 'invalid_request',
  401: 'unauthorized_client',
  403: 'access_denied',
  500: 'server_error',
  503: 'temporarily_unavailable',
};

/** Go's `url.Values.Encode`: sorted keys, form encoding. GoTrue writes every redirect this way. */
export function encodeSorted(params: Record<string, string>): string {
  const out = new URLSearchParams();
  for (const key of Object.keys(params).sort()) out.set(key, params[key] ?? '');
  return out.toString();
}

export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
  expires_at: number;
  refresh_token: string;
}

/**
 * The implicit flow's answer: the session rides in the fragment, which browsers never send
 * to a server, so tokens stay out of access logs.
 */
export function implicitRedirect(
  base: string,
  tokens: TokenResponse,
  extra: Record<string, string> = {},
): string {
  const fragment = encodeSorted({
    ...extra,
    access_token: tokens.access_token,
    token_type: tokens.token_type,
    expires_in: String(tokens.expires_in),
    expires_at: String(tokens.expires_at),
    refresh_token: tokens.refresh_token,
  });
  return `${base.split('#')[0]}#${fragment}`;
}

/** The PKCE flow's answer: only an auth code, useless without the client's verifier. */
export function codeRedirect(base: string, code: string): string {
  const url = new URL(base);
  url.searchParams.set('code', code);
  url.searchParams.sort();
  return url.toString();
}

/** The single-confirmation notice of a secure email change (GoTrue's prepRedirectURL). */
export function messageRedirect(base: string, message: string, pkce: boolean): string {
  const url = new URL(base);
  if (pkce) url.searchParams.set('message', message);
  url.hash = encodeSorted({ message });
  return url.toString();
}

/**
 * A failed email link (GoTrue's prepErrorRedirectURL): the error always goes in the
 * fragment, and for PKCE also in the query, where server-side PKCE handlers look.
 */
export function verifyErrorRedirect(base: string, err: AuthError, pkce: boolean): string {
  const url = new URL(base);
  const fields: Record<string, string> = {
    error_code: err.errorCode,
    error_description: err.message,
  };
  const error = OAUTH_ERRORS[err.status];
  if (error) fields.error = error;
  if (pkce) {
    for (const [k, v] of Object.entries(fields)) url.searchParams.set(k, v);
    url.searchParams.sort();
  }
  url.hash = encodeSorted(fields);
  return url.toString();
}

/**
 * A failed OAuth callback (GoTrue's redirectErrors): the error goes in both the query and
 * the fragment. Refusals of the sign-in itself read as `access_denied`.
 */
export function callbackErrorRedirect(
  base: string,
  err: { status: number; errorCode?: string; message: string; error?: string },
): string {
  const url = new URL(base);
  const denied = ['signup_disabled', 'user_banned', 'provider_email_needs_verification'];
  const fields: Record<string, string> = {
    error:
      err.error ??
      (denied.includes(err.errorCode ?? '')
        ? 'access_denied'
        : (OAUTH_ERRORS[err.status] ?? 'server_error')),
    error_description: err.message,
  };
  if (err.errorCode) fields.error_code = err.errorCode;
  for (const [k, v] of Object.entries(fields)) url.searchParams.set(k, v);
  url.searchParams.sort();
  url.hash = encodeSorted(fields);
  return url.toString();
}
