import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../../errors.ts';
import type { App } from '../../../http/context.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { audit } from '../../../identity/audit-request.ts';
import { pkceClient, VERIFIER_KEY } from '../support/clients.ts';
import { fromAuthError } from '../support/gotrue-errors.ts';
import { clearedFlowCookie, readFlow, withClearedCookie } from '../support/oauth-flow.ts';
import { SessionSchema, sessionIdOf, toSession } from '../support/session.ts';

const Query = z.object({
  code: z.string().min(1).max(512).openapi({
    description: 'The auth code Auth put in the `redirect_to` query',
    example: '8c8a3f0e-5a0b-4c1c-9d3e-2f1b7a9c6d41',
  }),
  state: z.string().min(1).max(512).openapi({
    description: 'The `state` that came back in the same query',
    example: 'Jd8Ck2Vb4nQ1xZ7mP0rT5wYh',
  }),
});

const route = createRoute({
  method: 'get',
  path: '/oauth/callback',
  tags: ['auth'],
  summary: 'Finish an OAuth sign-in',
  description:
    'Exchanges the auth code for a session with the PKCE verifier from the cookie set by ' +
    '`GET /oauth/{provider}`, in the same browser; the cookie is removed whatever the ' +
    'outcome. A first sign-in creates the account and its profile.',
  request: { query: Query },
  responses: {
    200: { description: 'Signed in', content: { 'application/json': { schema: SessionSchema } } },
    ...problemResponses(400, 401, 403, 422, 429, 502),
  },
});

export function registerOAuthCallback(app: App): void {
  app.openapi(route, async (c) => {
    const { code, state } = c.req.valid('query');
    const flow = readFlow(c);
    if (!flow || flow.state !== state) {
      throw withClearedCookie(
        c,
        new AppError('bad_request', {
          detail: 'No OAuth sign-in from this browser is waiting for this code; start again',
        }),
      );
    }

    const store = new Map([[VERIFIER_KEY, JSON.stringify(flow.verifier)]]);
    const { data, error } = await pkceClient(c, store).auth.exchangeCodeForSession(code);
    if (error || !data.session) {
      throw withClearedCookie(c, error ? fromAuthError(error) : new AppError('bad_gateway'));
    }

    c.header('set-cookie', clearedFlowCookie(c));
    c.header('cache-control', 'no-store');
    await audit(c, 'auth.login.succeeded', {
      actorId: data.user.id,
      targetType: 'session',
      targetId: sessionIdOf(data.session.access_token),
      metadata: { method: 'oauth', provider: flow.provider },
    });
    return c.json(toSession(data.session), 200);
  });
}
