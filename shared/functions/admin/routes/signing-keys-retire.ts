import { createRoute, z } from '@hono/zod-openapi';
import { MAX_TOKEN_LIFETIME_SECONDS } from '../../../auth/app-tokens.ts';
import { AppError } from '../../../errors.ts';
import type { App } from '../../../http/context.ts';
import { withCaller } from '../../../http/doors.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { audit } from '../../../identity/audit-request.ts';
import { retireSigningKey } from '../../../identity/signing-keys.ts';
import { DESTROY_NOTE, destroy } from './access.ts';

const KidParam = z.object({
  kid: z
    .string()
    .regex(/^[A-Za-z0-9_-]{8,64}$/)
    .openapi({ param: { name: 'kid', in: 'path' }, example: 'Ld3Yc0wA1b2c3d4e5f6g7h' }),
});

const route = createRoute({
  method: 'delete',
  path: '/signing-keys/{kid}',
  tags: ['signing keys'],
  summary: 'Retire a key',
  description:
    'Stops publishing it: tokens it signed are refused (within 10 seconds everywhere). The ' +
    'key that signs, and a key that stopped signing less than a day ago (the longest token ' +
    `lifetime), are a 409. ${DESTROY_NOTE}`,
  ...destroy(),
  request: { params: KidParam },
  responses: { 204: { description: 'Retired' }, ...problemResponses(401, 403, 404, 409, 422) },
});

export function registerSigningKeysRetire(app: App): void {
  app.openapi(route, async (c) => {
    const { kid } = c.req.valid('param');
    const { tokenKeys, clock } = c.var.services;
    const retired = await withCaller(c, (tx) =>
      retireSigningKey(tx, kid, new Date(clock.now()), MAX_TOKEN_LIFETIME_SECONDS),
    );
    if (!retired) throw new AppError('not_found', { detail: 'No such key, or already retired' });
    tokenKeys.forget();
    await audit(c, 'signing_key.retired', { targetType: 'signing_key', targetId: kid });
    return c.body(null, 204);
  });
}
