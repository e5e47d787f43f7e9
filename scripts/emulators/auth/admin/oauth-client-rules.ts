import { badRequest } from '../errors.ts';

/** The OAuth 2.1 server's client rules, with the messages of GoTrue's `oauthserver` package. */
export const AUTH_METHODS = ['none', 'client_secret_basic', 'client_secret_post'];
const GRANT_TYPES = ['authorization_code', 'refresh_token'];
const DANGEROUS_SCHEMES = ['javascript', 'data', 'file', 'vbscript', 'about', 'blob'];
const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];

/** Go's `%v` of a string slice: `[a b c]`. */
export const goList = (items: string[]) => `[${items.join(' ')}]`;

export const typeForMethod = (method: string) => (method === 'none' ? 'public' : 'confidential');

export const methodsForType = (type: string) =>
  type === 'public' ? ['none'] : type === 'confidential' ? AUTH_METHODS.slice(1) : [];

function redirectUriProblem(uri: string): string | undefined {
  if (uri === '') return 'redirect URI cannot be empty';
  if (!/^[a-z][a-z0-9+.-]*:/i.test(uri)) return 'must have scheme and host';
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'invalid URL format';
  }
  const scheme = url.protocol.slice(0, -1);
  if (!url.host) return 'must have scheme and host';
  if (DANGEROUS_SCHEMES.includes(scheme.toLowerCase()))
    return `scheme '${scheme}' is not allowed for security reasons`;
  if (scheme === 'http' && !LOOPBACK.includes(url.hostname))
    return 'HTTP scheme only allowed for localhost';
  if (uri.includes('#')) return 'fragment not allowed in redirect URI';
  return undefined;
}

/** GoTrue's `validateRedirectURIList`. */
export function checkRedirectUris(uris: string[], required: boolean): void {
  if (required && uris.length === 0)
    throw badRequest('validation_failed', 'redirect_uris is required');
  if (uris.length === 0) throw badRequest('validation_failed', 'redirect_uris cannot be empty');
  if (uris.length > 10)
    throw badRequest('validation_failed', 'redirect_uris cannot exceed 10 items');
  for (const uri of uris) {
    const problem = redirectUriProblem(uri);
    if (problem) throw badRequest('validation_failed', `invalid redirect_uri '${uri}': ${problem}`);
  }
}

/** GoTrue's `validateGrantTypeList`. */
export function checkGrantTypes(types: string[]): void {
  if (types.length === 0) throw badRequest('validation_failed', 'grant_types cannot be empty');
  if (types.some((t) => !GRANT_TYPES.includes(t)))
    throw badRequest(
      'validation_failed',
      "grant_types must only contain 'authorization_code' and/or 'refresh_token'",
    );
}

/** Go's `url.ParseRequestURI`: an absolute URI or an absolute path. */
const requestUri = (value: string) => {
  if (value.startsWith('/')) return true;
  try {
    new URL(value);
    return /^[a-z][a-z0-9+.-]*:/i.test(value);
  } catch {
    return false;
  }
};

/** GoTrue's `validateClientName`, `validateClientURI` and `validateLogoURI`. */
export function checkDescriptors(input: {
  client_name?: string;
  client_uri?: string;
  logo_uri?: string;
}): void {
  const bytes = (s: string) => new TextEncoder().encode(s).length;
  if (input.client_name !== undefined && bytes(input.client_name) > 1024)
    throw badRequest('validation_failed', 'client_name cannot exceed 1024 characters');
  for (const field of ['client_uri', 'logo_uri'] as const) {
    const value = input[field];
    if (!value) continue;
    if (bytes(value) > 2048)
      throw badRequest('validation_failed', `${field} cannot exceed 2048 characters`);
    if (!requestUri(value)) throw badRequest('validation_failed', `${field} must be a valid URL`);
  }
}
