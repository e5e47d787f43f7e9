import { z } from '@hono/zod-openapi';
import { signAppToken } from '../../../auth/app-tokens.ts';
import type { App } from '../../../http/context.ts';
import { countTokenIssued } from '../../../identity/app-client-tokens.ts';
import { audit } from '../../../identity/audit-request.ts';
import {
  type AuthenticatedClient,
  authenticateClient,
  presentedClient,
} from '../oauth/client-auth.ts';
import { formBody, oauthErrors } from '../oauth/docs.ts';
import { OAuthError, oauthErrorResponse, oauthJson } from '../oauth/errors.ts';
import { readForm } from '../oauth/form.ts';

const TokenRequest = z
  .object({
    grant_type: z.literal('client_credentials'),
    scope: z.string().optional().openapi({
      description: 'Space-separated permissions; leave out for all the client may have',
      example: 'audit:read users:read',
    }),
    client_id: z.string().optional().openapi({ description: 'Only when not using HTTP Basic' }),
    client_secret: z.string().optional().openapi({ description: 'Only when not using HTTP Basic' }),
  })
  .openapi('TokenRequest');

const TokenResponse = z
  .object({
    access_token: z.string(),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int(),
    scope: z.string(),
  })
  .openapi('TokenResponse');

/** RFC 6749 §3.3: scope tokens are printable ASCII without space, `"` or `\`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/**
 * The scopes to grant: what was asked for, every one of which the client must be allowed
 * (its roles' permissions, within its allowed scopes); or, when nothing was asked, all of
 * those. Sorted and distinct.
 */
function grantedScopes(requested: string | undefined, client: AuthenticatedClient): string[] {
  const allowed = client.permissions.filter(
    (p) => client.allowedScopes === null || client.allowedScopes.includes(p),
  );
  if (requested === undefined) return allowed;
  const asked = requested.split(' ');
  if (asked.some((s) => !SCOPE_TOKEN.test(s))) {
    throw new OAuthError('invalid_scope', 'The scope is malformed');
  }
  const refused = asked.filter((s) => !allowed.includes(s));
  if (refused.length) {
    throw new OAuthError('invalid_scope', `Not allowed for this client: ${refused.join(' ')}`);
  }
  return [...new Set(asked)].sort();
}

export function registerToken(app: App): void {
  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/token',
    tags: ['app clients'],
    summary: 'Get an access token for an app client (client credentials)',
    description:
      'OAuth 2.0 client credentials grant (RFC 6749 §4.4). Authenticate with HTTP Basic ' +
      '(`client_id:client_secret`) or with `client_id` and `client_secret` in the body, not ' +
      'both. The token is an ES256 JWT (verify it with `/.well-known/jwks.json`); send it as ' +
      '`Authorization: Bearer` to the routes whose security lists `appClient`. Errors follow ' +
      'RFC 6749 §5.2. Tokens count against the client’s hourly quota.',
    security: [{ clientBasic: [] }, {}],
    request: { body: formBody(TokenRequest) },
    responses: {
      200: {
        description: 'A token',
        content: { 'application/json': { schema: TokenResponse } },
      },
      ...oauthErrors({
        400: '`invalid_request`, `unsupported_grant_type` or `invalid_scope`',
        401: '`invalid_client`, with `WWW-Authenticate`',
        429: '`too_many_requests`: the client’s hourly quota is spent (`Retry-After`)',
      }),
    },
  });

  app.post('/token', async (c) => {
    try {
      const params = await readForm(c);
      const grant = params.get('grant_type');
      if (grant === undefined) throw new OAuthError('invalid_request', 'grant_type is required');
      if (grant !== 'client_credentials') {
        throw new OAuthError('unsupported_grant_type', 'Only client_credentials is supported');
      }
      const { clock, tokenKeys, appTokenIssuer } = c.var.services;
      const now = new Date(clock.now());
      const client = await authenticateClient(c, presentedClient(c, params), async (found, tx) => {
        const scopes = grantedScopes(params.get('scope'), found);
        const quota = await countTokenIssued(tx, found.id, now, found.tokenQuotaPerHour);
        if (!quota.allowed) {
          const retry = Math.max(1, Math.ceil((quota.resetAt.getTime() - now.getTime()) / 1000));
          throw new OAuthError('too_many_requests', 'This client’s hourly token quota is spent', {
            status: 429,
            headers: { 'retry-after': String(retry) },
          });
        }
        return { ...found, scopes };
      });
      const jti = crypto.randomUUID();
      const token = await signAppToken(
        {
          sub: client.id,
          client_id: client.id,
          jti,
          roles: client.roles,
          permissions: client.scopes,
          scope: client.scopes.join(' '),
        },
        {
          issuer: appTokenIssuer,
          key: await tokenKeys.signer(),
          clock,
          lifetimeSeconds: client.tokenLifetimeSeconds,
        },
      );
      await audit(c, 'app_client.token_issued', {
        actorId: client.id,
        actorType: 'app_client',
        targetType: 'app_client',
        targetId: client.id,
        metadata: { jti, scope: client.scopes.join(' ') },
      });
      return oauthJson({
        access_token: token,
        token_type: 'Bearer',
        expires_in: client.tokenLifetimeSeconds,
        scope: client.scopes.join(' '),
      });
    } catch (err) {
      if (err instanceof OAuthError && err.clientId) {
        await audit(c, 'app_client.auth_failed', {
          actorId: err.clientId,
          actorType: 'app_client',
          targetType: 'app_client',
          targetId: err.clientId,
        });
      }
      return oauthErrorResponse(err);
    }
  });
}
