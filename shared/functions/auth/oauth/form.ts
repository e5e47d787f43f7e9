import type { Context } from 'hono';
import type { AppEnv } from '../../../http/context.ts';
import { OAuthError } from './errors.ts';

const FORM_TYPE = /^application\/x-www-form-urlencoded\s*(;|$)/i;

/**
 * The parameters of an OAuth request: an `application/x-www-form-urlencoded` body (RFC 6749
 * §3.2), each parameter at most once (§3.1). Empty values count as absent, as §3.1 says.
 */
export async function readForm(c: Context<AppEnv>): Promise<Map<string, string>> {
  if (!FORM_TYPE.test(c.req.header('content-type') ?? '')) {
    throw new OAuthError(
      'invalid_request',
      'Send the parameters as application/x-www-form-urlencoded',
    );
  }
  const params = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(await c.req.text())) {
    if (params.has(name)) throw new OAuthError('invalid_request', `Parameter ${name} repeats`);
    if (value.includes('\u0000') || value.length > 4096) {
      throw new OAuthError('invalid_request', `Parameter ${name} is malformed`);
    }
    if (value !== '') params.set(name, value);
  }
  return params;
}
