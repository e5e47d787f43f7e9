import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { App, AppEnv } from '../../../http/context.ts';
import { withService } from '../../../http/doors.ts';
import { appTokenState } from '../../../identity/app-client-tokens.ts';
import { authenticateClient, presentedClient } from '../oauth/client-auth.ts';
import { formBody, oauthErrors } from '../oauth/docs.ts';
import { OAuthError, oauthErrorResponse, oauthJson, REALM } from '../oauth/errors.ts';
import { readForm } from '../oauth/form.ts';
import { readAppToken } from '../oauth/read-token.ts';

const IntrospectRequest = z
  .object({
    token: z.string(),
    token_type_hint: z.enum(['access_token', 'refresh_token']).optional(),
  })
  .openapi('IntrospectRequest');

const IntrospectResponse = z
  .object({
    active: z.boolean(),
    scope: z.string().optional(),
    client_id: z.string().optional(),
    sub: z.string().optional(),
    token_type: z.literal('Bearer').optional(),
    exp: z.number().int().optional(),
    iat: z.number().int().optional(),
    iss: z.string().optional(),
    aud: z.string().optional(),
    jti: z.string().optional(),
    roles: z.array(z.string()).optional(),
    permissions: z.array(z.string()).optional(),
  })
  .openapi('IntrospectResponse', {
    example: {
      active: true,
      scope: 'audit:read',
      client_id: '6f1c1b8e-0d7a-4c55-9b1e-3f0c4a5e9b1e',
      sub: '6f1c1b8e-0d7a-4c55-9b1e-3f0c4a5e9b1e',
      token_type: 'Bearer',
      exp: 1767229200,
      iat: 1767225600,
      iss: 'https://project.supabase.co/functions/v1/auth',
      aud: 'authenticated',
      jti: '0b5b4b1e-3f0c-4a5e-9b1e-3f0c4a5e9b1e',
      roles: ['reporting'],
      permissions: ['audit:read'],
    },
  });

/** The caller must be someone: a client by its credentials, or a bearer of a valid token. */
async function authenticateCaller(c: Context<AppEnv>, params: Map<string, string>): Promise<void> {
  const presented = presentedClient(c, params);
  if (presented) {
    await authenticateClient(c, presented, async () => undefined);
    return;
  }
  const { kind } = c.var.principal;
  if (kind === 'user' || kind === 'app') return;
  throw new OAuthError('invalid_client', 'Authenticate as a client or with a bearer token', {
    headers: { 'www-authenticate': `Basic realm="${REALM}", Bearer realm="${REALM}"` },
  });
}

export function registerTokenIntrospect(app: App): void {
  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/token/introspect',
    tags: ['app clients'],
    summary: 'Introspect an app-client token',
    description:
      'OAuth 2.0 token introspection (RFC 7662), for authenticated callers only: an app client ' +
      'by its credentials (as for `/token`), or a user or app client with a bearer token. ' +
      '`active` is false for anything that is not a live token of an enabled client: expired, ' +
      'revoked, forged, or not issued here.',
    security: [{ clientBasic: [] }, { bearerAuth: [] }, { appClient: [] }],
    request: { body: formBody(IntrospectRequest) },
    responses: {
      200: {
        description: 'What the token is',
        content: { 'application/json': { schema: IntrospectResponse } },
      },
      ...oauthErrors({
        400: '`invalid_request`',
        401: '`invalid_client`: no or bad credentials, with `WWW-Authenticate`',
      }),
    },
  });

  app.post('/token/introspect', async (c) => {
    try {
      const params = await readForm(c);
      await authenticateCaller(c, params);
      const token = params.get('token');
      if (token === undefined) throw new OAuthError('invalid_request', 'token is required');
      const read = await readAppToken(c, token);
      if (!read) return oauthJson({ active: false });
      // Fresh from the database, not the API's cache: the answer is about this moment.
      const state = await withService(c, (tx) => appTokenState(tx, read.clientId, read.jti));
      if (!state.active) return oauthJson({ active: false });
      const { claims } = read;
      return oauthJson({
        active: true,
        scope: claims.scope,
        client_id: read.clientId,
        sub: read.clientId,
        token_type: 'Bearer',
        exp: claims.exp,
        iat: claims.iat,
        iss: claims.iss,
        aud: claims.aud,
        jti: read.jti,
        roles: state.roles,
        permissions: String(claims.scope)
          .split(' ')
          .filter((p) => p && state.permissions.includes(p)),
      });
    } catch (err) {
      return oauthErrorResponse(err);
    }
  });
}
