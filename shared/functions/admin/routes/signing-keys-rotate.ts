import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../../http/context.ts';
import { withCaller } from '../../../http/doors.ts';
import { problemResponses } from '../../../http/schemas.ts';
import { audit } from '../../../identity/audit-request.ts';
import { addSigningKey } from '../../../identity/signing-keys.ts';
import { MANAGE_NOTE, manage } from './access.ts';

const route = createRoute({
  method: 'post',
  path: '/signing-keys/rotate',
  tags: ['signing keys'],
  summary: 'Rotate the key that signs app-client tokens',
  description:
    'A new key signs from now on (every instance within 10 seconds). The one before stays ' +
    'published, so the tokens it signed keep working until they expire; retire it a day ' +
    `later. ${MANAGE_NOTE}`,
  ...manage(),
  responses: {
    201: {
      description: 'The new key’s id',
      content: { 'application/json': { schema: z.object({ kid: z.string() }).openapi('NewKey') } },
    },
    ...problemResponses(401, 403),
  },
});

export function registerSigningKeysRotate(app: App): void {
  app.openapi(route, async (c) => {
    const { tokenKeys, clock } = c.var.services;
    const key = await tokenKeys.generate();
    await withCaller(c, (tx) => addSigningKey(tx, key, new Date(clock.now()), false));
    tokenKeys.forget();
    await audit(c, 'signing_key.rotated', { targetType: 'signing_key', targetId: key.kid });
    return c.json({ kid: key.kid }, 201);
  });
}
