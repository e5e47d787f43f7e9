import { createRoute, z } from '@hono/zod-openapi';
import type { Provider } from '@supabase/supabase-js';
import { AppError } from '../../../errors.ts';
import type { App } from '../../../http/context.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { type MemoryStore, pkceClient, VERIFIER_KEY } from '../support/clients.ts';
import { fromAuthError } from '../support/gotrue-errors.ts';
import { enabledProviders, keepFlow, newState } from '../support/oauth-flow.ts';

const Params = z.object({
  provider: z
    .string()
    .regex(/^[a-z0-9_-]{2,40}$/, 'Use a provider name such as github or google')
    .openapi({ param: { name: 'provider', in: 'path' }, example: 'github' }),
});

const Query = z.object({
  redirect_to: z
    .url()
    .max(2048)
    .openapi({
      description:
        'The app page Auth sends the browser back to, with `code` and `state` in the query for ' +
        '`GET /oauth/callback`; must be allowed in the Auth redirect URLs',
      example: 'https://app.example.com/auth/callback',
    }),
  redirect: z.enum(['0', '1']).optional().openapi({
    description: '`1`: answer with a 302 to the authorize URL instead of JSON',
    example: '1',
  }),
});

const OAuthStartResponse = z.object({ url: z.url() }).openapi('OAuthStart', {
  example: { url: 'https://project.supabase.co/auth/v1/authorize?provider=github&…' },
});

const route = createRoute({
  method: 'get',
  path: '/oauth/{provider}',
  tags: ['auth'],
  summary: 'Start an OAuth sign-in',
  description:
    'Builds the Auth authorize URL with PKCE (S256). The code verifier and a `state` stay in ' +
    'a short-lived HttpOnly cookie for `GET /oauth/callback`; `state` is also added to ' +
    '`redirect_to`, so the callback can tell that this browser started the sign-in.',
  request: { params: Params, query: Query },
  responses: {
    200: {
      description: 'Where to send the browser',
      content: { 'application/json': { schema: OAuthStartResponse } },
    },
    302: { description: 'Redirect to the authorize URL (with `redirect=1`)' },
    ...problemResponses(422, 502),
  },
});

export function registerOAuthStart(app: App): void {
  app.openapi(route, async (c) => {
    const { provider } = c.req.valid('param');
    const { redirect_to, redirect } = c.req.valid('query');
    if (!(await enabledProviders(c)).has(provider)) {
      throw new AppError('validation_failed', {
        detail: `The ${provider} provider is not enabled`,
        errors: [{ path: 'param.provider', message: 'Not an enabled OAuth provider' }],
      });
    }

    const state = newState();
    const back = new URL(redirect_to);
    back.searchParams.set('state', state);
    const store: MemoryStore = new Map();
    const { data, error } = await pkceClient(c, store).auth.signInWithOAuth({
      provider: provider as Provider,
      // Not `skipBrowserRedirect`: it asks Auth for JSON instead of the redirect a browser needs.
      options: { redirectTo: back.toString() },
    });
    if (error) throw fromAuthError(error);
    const stored = store.get(VERIFIER_KEY);
    const verifier = stored ? (JSON.parse(stored) as string) : '';
    if (!data.url || !verifier) throw new AppError('internal', { detail: 'No PKCE verifier' });

    keepFlow(c, { state, provider, verifier });
    c.header('cache-control', 'no-store');
    if (redirect === '1') return c.redirect(data.url, 302);
    return c.json({ url: data.url }, 200);
  });
}
