import type { Context } from 'hono';
import type { Tx } from '../../../db/client.ts';
import type { AppEnv } from '../../../http/context.ts';
import { withService } from '../../../http/doors.ts';
import { type ClientCredentials, clientCredentials } from '../../../identity/app-client-tokens.ts';
import { secretMatches } from '../../../identity/client-secrets.ts';
import { OAuthError } from './errors.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What a request presented to authenticate a client, if anything. */
export interface PresentedClient {
  id: string;
  secret: string;
  via: 'basic' | 'body';
}

/** A form-urlencoded component (RFC 6749 §2.3.1 encodes Basic credentials so). */
function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '));
}

/**
 * The client credentials of a request, by HTTP Basic or in the body (`client_id`,
 * `client_secret`), never both (§2.3: one method per request). Undefined when none.
 */
export function presentedClient(
  c: Context<AppEnv>,
  params: Map<string, string>,
): PresentedClient | undefined {
  const header = c.req.header('authorization') ?? '';
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  const bodySecret = params.get('client_secret');
  if (basic) {
    if (bodySecret !== undefined) {
      throw new OAuthError('invalid_request', 'Authenticate with one method: Basic or the body');
    }
    let id: string;
    let secret: string;
    try {
      const decoded = atob(basic[1] as string);
      const colon = decoded.indexOf(':');
      if (colon < 0) throw new Error('no colon');
      id = formDecode(decoded.slice(0, colon));
      secret = formDecode(decoded.slice(colon + 1));
    } catch {
      throw new OAuthError('invalid_client', 'Malformed Basic credentials');
    }
    const bodyId = params.get('client_id');
    if (bodyId !== undefined && bodyId !== id) {
      throw new OAuthError('invalid_request', 'client_id differs from the Basic credentials');
    }
    return { id, secret, via: 'basic' };
  }
  if (/^Basic\b/i.test(header))
    throw new OAuthError('invalid_client', 'Malformed Basic credentials');
  const id = params.get('client_id');
  if (id === undefined && bodySecret === undefined) return undefined;
  if (id === undefined || bodySecret === undefined) {
    throw new OAuthError('invalid_client', 'Send both client_id and client_secret');
  }
  return { id, secret: bodySecret, via: 'body' };
}

/** An authenticated client: its id and what the token endpoint needs of it. */
export interface AuthenticatedClient extends ClientCredentials {
  id: string;
}

/**
 * Checks presented credentials against the stored hashes of the secrets valid now, in one
 * service transaction that may go on (`then`) to do more for the client, such as counting
 * its token. Unknown client, wrong secret and disabled client are one answer:
 * `invalid_client`, so none can be told apart.
 */
export async function authenticateClient<T>(
  c: Context<AppEnv>,
  presented: PresentedClient | undefined,
  then: (client: AuthenticatedClient, tx: Tx) => Promise<T>,
): Promise<T> {
  if (!presented) throw new OAuthError('invalid_client', 'Client authentication is required');
  const { id, secret } = presented;
  const now = new Date(c.var.services.clock.now());
  return withService(c, async (tx) => {
    const found = UUID.test(id) ? await clientCredentials(tx, id, now) : undefined;
    // Hashed and compared even for an unknown client, so timing does not tell them apart.
    const matches = await secretMatches(secret, found?.secretHashes ?? []);
    if (!found || !matches || !found.enabled) {
      const refused = new OAuthError(
        'invalid_client',
        'Unknown client, wrong secret, or client disabled',
      );
      // For the audit log only (never shown): which existing client was tried.
      if (found) refused.clientId = id.toLowerCase();
      throw refused;
    }
    return then({ id: id.toLowerCase(), ...found }, tx);
  });
}
