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
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'A Supabase Auth access token, or an app-client token from the auth function',
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
