import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../../http/context.ts';

const Jwks = z
  .object({ keys: z.array(z.record(z.string(), z.unknown())) })
  .openapi('JsonWebKeySet', {
    example: {
      keys: [
        {
          kty: 'EC',
          crv: 'P-256',
          x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
          y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
          kid: 'Ld3Yc0wA1b2c3d4e5f6g7h',
          alg: 'ES256',
          use: 'sig',
          key_ops: ['verify'],
        },
      ],
    },
  });

const route = createRoute({
  method: 'get',
  path: '/.well-known/jwks.json',
  tags: ['app clients'],
  summary: 'Keys that verify app-client tokens',
  description:
    'The public ES256 keys of app-client tokens, by `kid`: the signer and every earlier key ' +
    'not yet retired, so a rotation never refuses a token already issued. Refetch when a ' +
    'token names a `kid` you do not have.',
  responses: {
    200: { description: 'A JWK set', content: { 'application/json': { schema: Jwks } } },
  },
});

export function registerJwks(app: App): void {
  app.openapi(route, async (c) => {
    const jwks = await c.var.services.tokenKeys.jwks();
    c.header('cache-control', 'public, max-age=300');
    return c.json({ keys: jwks.keys as Array<Record<string, unknown>> }, 200);
  });
}
