import { z } from '@hono/zod-openapi';
import type { App } from '../../../http/context.ts';
import { revokeAppToken } from '../../../identity/app-client-tokens.ts';
import { audit } from '../../../identity/audit-request.ts';
import { authenticateClient, presentedClient } from '../oauth/client-auth.ts';
import { formBody, oauthErrors } from '../oauth/docs.ts';
import { OAuthError, oauthErrorResponse, oauthJson } from '../oauth/errors.ts';
import { readForm } from '../oauth/form.ts';
import { readAppToken } from '../oauth/read-token.ts';

const RevokeRequest = z
  .object({
    token: z.string().openapi({ description: 'An access token this client was issued' }),
    token_type_hint: z.enum(['access_token', 'refresh_token']).optional(),
  })
  .openapi('RevokeRequest');

export function registerTokenRevoke(app: App): void {
  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/token/revoke',
    tags: ['app clients'],
    summary: 'Revoke an app-client token',
    description:
      'OAuth 2.0 token revocation (RFC 7009). The client authenticates as for `/token` and ' +
      'revokes one of its own tokens; the API refuses it within 10 seconds. A token that is ' +
      'invalid, expired or already revoked is answered 200 as well, as the RFC asks.',
    security: [{ clientBasic: [] }, {}],
    request: { body: formBody(RevokeRequest) },
    responses: {
      200: { description: 'Revoked, or nothing to revoke' },
      ...oauthErrors({
        400: '`invalid_request`, or `unauthorized_client` for another client’s token',
        401: '`invalid_client`, with `WWW-Authenticate`',
      }),
    },
  });

  app.post('/token/revoke', async (c) => {
    try {
      const params = await readForm(c);
      const token = params.get('token');
      const presented = presentedClient(c, params);
      if (token === undefined) throw new OAuthError('invalid_request', 'token is required');
      const { clock, appTokens } = c.var.services;
      // Read before authenticating the client, so no transaction is open meanwhile.
      const claims = await readAppToken(c, token);
      const revoked = await authenticateClient(c, presented, async (client, tx) => {
        // RFC 7009 §2.2: an invalid token is no error; there is simply nothing to revoke.
        if (!claims) return false;
        if (claims.clientId !== client.id) {
          throw new OAuthError('unauthorized_client', 'The token was not issued to this client');
        }
        const now = new Date(clock.now());
        return revokeAppToken(tx, client.id, claims.jti, now, claims.expiresAt);
      });
      if (claims && revoked) {
        // This instance refuses it at once; the others within their 10 s cache.
        appTokens.forget(`${claims.clientId}:${claims.jti}`);
        await audit(c, 'app_client.token_revoked', {
          actorId: claims.clientId,
          actorType: 'app_client',
          targetType: 'app_client',
          targetId: claims.clientId,
          metadata: { jti: claims.jti },
        });
      }
      return oauthJson({});
    } catch (err) {
      return oauthErrorResponse(err);
    }
  });
}
