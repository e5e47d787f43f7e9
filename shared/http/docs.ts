import { Scalar } from '@scalar/hono-api-reference';
import type { App } from './context.ts';

/**
 * `/openapi.json` (OpenAPI 3.1, generated from the route schemas) and `/docs`, a rendered
 * reference for it. Paths in the document carry the function prefix, and the server is the
 * Supabase functions root, so "try it" calls land on the same gateway.
 */
export function registerDocs(
  app: App,
  info: { name: string; title: string; description: string; version?: string },
): void {
  // A route's `security` says who may call it: `bearerAuth` alone is for signed-in users;
  // with `appClient` beside it, app clients with the permission may call it too.
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'A user: a Supabase Auth access token',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'appClient', {
    type: 'oauth2',
    description:
      'An app client: a token from the auth function’s client-credentials grant, sent as ' +
      '`Authorization: Bearer`. Scopes are permission names.',
    flows: { clientCredentials: { tokenUrl: '/functions/v1/auth/token', scopes: {} } },
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'clientBasic', {
    type: 'http',
    scheme: 'basic',
    description: 'An app client’s `client_id` and `client_secret` (RFC 6749 §2.3.1)',
  });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: info.title, description: info.description, version: info.version ?? '0.1.0' },
    servers: [{ url: '/functions/v1', description: 'Supabase Edge Functions' }],
  });
  app.get(
    '/docs',
    Scalar({ url: `/functions/v1/${info.name}/openapi.json`, pageTitle: info.title }),
  );
}
